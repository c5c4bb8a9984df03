/**
 * The "Noise suppression" switch (components/NoiseSwitch.tsx) in the hair check and in settings,
 * remembered on this device, and the engine part that decides which track is sent
 * (call/media/noise/noise-suppression.ts). happy-dom has no AudioContext, so the denoiser itself
 * is a stand-in (fakePipeline); the real one is proven in test/e2e/noise-suppression.test.ts.
 */
import { signal } from "@preact/signals-core";
import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import { NoiseSuppression } from "../../frontend/call/media/noise/noise-suppression";
import { fakeCall, peerA } from "./fake-call";
import { fakeMedia, fakePipeline, fakeTrack, someDevices } from "./fake-media";
import { button, renderHairCheck, renderRoomView } from "./render-views";

const KEY = "natter:noise-suppression";

afterEach(() => localStorage.clear());

describe("the noise suppression switch", () => {
  it("is off by default in the hair check, and turning it on is remembered on this device", async () => {
    const { media } = renderHairCheck();
    const box = screen.getByRole("checkbox", { name: "Noise suppression" }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(media.noise.status.value).toBe("off");

    fireEvent.click(box);
    expect(localStorage.getItem(KEY)).toBe("on");
    await waitFor(() => expect(media.noise.status.value).toBe("on"));
    expect((screen.getByRole("checkbox", { name: "Noise suppression" }) as HTMLInputElement).checked).toBe(true);

    // The next visit (a new page: new media) starts with it on.
    const next = new NoiseSuppression(signal(fakeTrack("audio")), { open: async () => fakePipeline() });
    expect(next.wanted.value).toBe(true);
    next.dispose();
  });

  it("leaves the microphone picker on the microphone, not on the denoiser's track (of no device)", () => {
    const media = fakeMedia();
    media.devices.value = {
      ...someDevices,
      audioinput: [{ id: "audio-0", label: "USB headset" }, ...someDevices.audioinput],
    };
    // What LocalMedia exposes while suppression is on: the pipeline's output, the microphone underneath.
    media.audioTrack.value = fakePipeline().output;
    renderHairCheck(media);
    expect((screen.getByLabelText("Microphone") as HTMLSelectElement).value).toBe("audio-1");
  });

  it("is in settings mid-call, and turning it off there is remembered too", async () => {
    localStorage.setItem(KEY, "on");
    const call = fakeCall({ peers: [peerA], media: fakeMedia() });
    renderRoomView(call);
    fireEvent.click(button("Settings"));
    const dialog = await screen.findByRole("dialog", { name: "Settings" }, { timeout: 10_000 });
    const box = within(dialog).getByRole("checkbox", { name: "Noise suppression" }) as HTMLInputElement;
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    expect(localStorage.getItem(KEY)).toBe("off");
    expect(call.media.noise.wanted.value).toBe(false);
  });

  it("says so when the browser cannot run it, and the microphone is sent as it is", async () => {
    const mic = signal<MediaStreamTrack | null>(fakeTrack("audio"));
    const noise = new NoiseSuppression(mic, {
      initial: true,
      save: () => {},
      open: async () => {
        throw new Error("no AudioWorklet");
      },
    });
    await waitFor(() => expect(noise.status.value).toBe("unavailable"));
    expect(noise.track.value).toBe(mic.value);
    noise.dispose();
  });
});

describe("which track is sent", () => {
  it("sends the processed track while on, with the mute state moved onto it; off hands back", async () => {
    const raw = fakeTrack("audio");
    raw.enabled = false; // muted before it was turned on
    const mic = signal<MediaStreamTrack | null>(raw);
    const pipeline = fakePipeline();
    const noise = new NoiseSuppression(mic, { initial: false, save: () => {}, open: async () => pipeline });
    expect(noise.track.value).toBe(raw);

    noise.set(true);
    await waitFor(() => expect(noise.track.value).toBe(pipeline.output));
    expect(pipeline.output.enabled, "still muted: on the track that is sent").toBe(false);
    expect(raw.enabled, "the microphone keeps running underneath, for the level meter").toBe(true);

    // A device switch feeds the same pipeline: the sent track does not change.
    const other = fakeTrack("audio", "audio-2");
    mic.value = other;
    expect(noise.track.value).toBe(pipeline.output);
    expect(pipeline.inputs.at(-1)).toBe(other);

    pipeline.output.enabled = true; // unmuted while on
    noise.set(false);
    expect(noise.track.value).toBe(other);
    expect(other.enabled).toBe(true);
    expect(pipeline.closed, "the AudioContext and worklet are let go").toBe(true);
  });

  it("lets go of the pipeline when the microphone goes (media stopped), and of one still starting", async () => {
    const mic = signal<MediaStreamTrack | null>(fakeTrack("audio"));
    const first = fakePipeline();
    const noise = new NoiseSuppression(mic, { initial: true, save: () => {}, open: async () => first });
    await waitFor(() => expect(noise.status.value).toBe("on"));
    mic.value = null;
    expect(first.closed).toBe(true);
    expect(noise.track.value).toBeNull();

    // Turned off while the denoiser is still loading: it is closed the moment it arrives.
    let arrive: (pipeline: ReturnType<typeof fakePipeline>) => void = () => {};
    const late = fakePipeline();
    const slow = new NoiseSuppression(signal(fakeTrack("audio")), {
      initial: true,
      save: () => {},
      open: () => new Promise((resolve) => (arrive = resolve)),
    });
    expect(slow.status.value).toBe("starting");
    slow.set(false);
    arrive(late);
    await waitFor(() => expect(late.closed).toBe(true));
    expect(slow.status.value).toBe("off");
    noise.dispose();
    slow.dispose();
  });
});
