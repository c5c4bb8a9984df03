/**
 * Background blur in the views and in the camera's plumbing. happy-dom has no insertable streams,
 * so the browser's MediaStreamTrackProcessor/Generator are stand-ins here (the engine that uses
 * them runs only in real browsers: test/e2e/blur.test.ts); what is tested is ours: the switch, its
 * remembered preference, and which track the call sends as the wish and the camera change.
 */
import { signal } from "@preact/signals-core";
import { act, fireEvent, screen, within } from "@testing-library/preact";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type BlurSink, blurPath } from "../../frontend/call/media/blur/blur-output";
import { blurWanted, setBlurWanted } from "../../frontend/call/media/blur/blur-setting";
import { BlurredCamera } from "../../frontend/call/media/blur/blurred-camera";
import type { BlurEngine } from "../../frontend/call/media/blur/engine";
import { fakeCall } from "./fake-call";
import { fakeMedia, fakeTrack } from "./fake-media";
import { button, prefetchOnDemand, renderHairCheck, renderRoomView } from "./render-views";

/** A generator track as Chromium makes one: a track that is fed frames, here never. */
class FakeGenerator {
  readonly kind = "video";
  enabled = true;
  stopped = false;
  readonly writable = new WritableStream<VideoFrame>();
  stop() {
    this.stopped = true;
  }
}

function insertableStreams(): void {
  vi.stubGlobal("MediaStreamTrackProcessor", class {});
  vi.stubGlobal("MediaStreamTrackGenerator", FakeGenerator);
}

/** Firefox, Safari: no MediaStreamTrackProcessor/Generator on the page. */
function withoutInsertableStreams(): void {
  vi.unstubAllGlobals();
  vi.stubGlobal("MediaStreamTrackProcessor", undefined);
  vi.stubGlobal("MediaStreamTrackGenerator", undefined);
}

beforeAll(prefetchOnDemand);

afterEach(() => {
  vi.unstubAllGlobals();
  setBlurWanted(false);
  localStorage.clear();
});

const blurBox = () => screen.getByRole("checkbox", { name: "Blur my background" }) as HTMLInputElement;

/** What a screen reader reads after the box's name: the text its aria-describedby points at. */
function descriptionOf(element: Element): string | null | undefined {
  const id = element.getAttribute("aria-describedby");
  return id === null ? null : document.getElementById(id)?.textContent;
}

describe("the blur switch", () => {
  beforeEach(insertableStreams);

  it("is in the hair check, off at first, and remembers being turned on", () => {
    renderHairCheck();
    const box = screen.getByRole("checkbox", { name: "Blur my background" }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    expect(box.checked).toBe(true);
    expect(blurWanted.value).toBe(true);
    expect(localStorage.getItem("natter:blur")).toBe("on");
    fireEvent.click(box);
    expect(localStorage.getItem("natter:blur")).toBe("off");
  });

  it("is in the settings dialog too, showing what the hair check chose", () => {
    setBlurWanted(true);
    renderRoomView(fakeCall());
    fireEvent.click(button("Settings"));
    const dialog = screen.getByRole("dialog", { name: "Settings" });
    const box = within(dialog).getByRole("checkbox", { name: "Blur my background" }) as HTMLInputElement;
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    expect(blurWanted.value).toBe(false);
    expect(localStorage.getItem("natter:blur")).toBe("off");
  });

  it("says under it, and to a screen reader with it, that blurring happens on this device", () => {
    renderHairCheck();
    expect(descriptionOf(blurBox())).toBe("Blurred on this device: your picture never leaves it unblurred");
  });

  it("without a camera, is greyed out and says it needs one, keeping the wish; a camera brings it back", async () => {
    setBlurWanted(true);
    const media = fakeMedia({ video: false, problem: { missing: "camera", reason: "NotFoundError" } });
    renderHairCheck(media);
    const box = blurBox();
    expect(box.disabled).toBe(true);
    expect(box.checked).toBe(true);
    expect(descriptionOf(box)).toBe("Needs a camera");
    fireEvent.click(screen.getByText("Blur my background"));
    expect(blurWanted.value).toBe(true);

    // The camera is plugged in (or allowed) and the retry finds it.
    await act(async () => {
      media.videoTrack.value = fakeTrack("video");
    });
    expect(box.disabled).toBe(false);
    expect(descriptionOf(box)).toBe("Blurred on this device: your picture never leaves it unblurred");
    fireEvent.click(box);
    expect(blurWanted.value).toBe(false);
  });

  it("stays on offer while the browser is still asking, and while the camera is only turned off", async () => {
    const media = fakeMedia({ phase: "asking", video: false });
    renderHairCheck(media);
    expect(blurBox().disabled).toBe(false);
    await act(async () => {
      media.videoTrack.value = fakeTrack("video");
      media.phase.value = "ready";
    });
    fireEvent.click(button("Turn camera off"));
    // Off, not missing: turning blur on before the camera comes back on is just what someone may want.
    expect(blurBox().disabled).toBe(false);
    fireEvent.click(blurBox());
    expect(blurWanted.value).toBe(true);
  });

  it("is greyed out in settings too when the call has no camera", () => {
    renderRoomView(fakeCall({ media: fakeMedia({ video: false }) }));
    fireEvent.click(button("Settings"));
    const dialog = screen.getByRole("dialog", { name: "Settings" });
    const box = within(dialog).getByRole("checkbox", { name: "Blur my background" }) as HTMLInputElement;
    expect(box.disabled).toBe(true);
    expect(descriptionOf(box)).toBe("Needs a camera");
  });

  it("reads the remembered choice when the page loads", async () => {
    localStorage.setItem("natter:blur", "on");
    vi.resetModules();
    const fresh = await import("../../frontend/call/media/blur/blur-setting");
    expect(fresh.blurWanted.value).toBe(true);
    localStorage.setItem("natter:blur", "something else");
    vi.resetModules();
    expect((await import("../../frontend/call/media/blur/blur-setting")).blurWanted.value).toBe(false);
  });

  it("is offered by a browser without insertable streams that can capture a canvas (Firefox)", () => {
    withoutInsertableStreams();
    expect(blurPath()).toBe("canvas");
    renderHairCheck();
    expect(screen.getByRole("checkbox", { name: "Blur my background" })).toBeTruthy();
  });

  it("is not offered by a browser that cannot blur either way", () => {
    withoutInsertableStreams();
    const capture = Object.getOwnPropertyDescriptor(HTMLCanvasElement.prototype, "captureStream");
    Object.defineProperty(HTMLCanvasElement.prototype, "captureStream", { value: undefined, configurable: true });
    try {
      expect(blurPath()).toBeNull();
      renderHairCheck();
      expect(screen.queryByRole("checkbox", { name: "Blur my background" })).toBeNull();
    } finally {
      if (capture) Object.defineProperty(HTMLCanvasElement.prototype, "captureStream", capture);
    }
  });
});

/** An engine that records what it was asked to read. */
function fakeEngine() {
  const sources: (MediaStreamTrack | null)[] = [];
  let closed = 0;
  const engine: BlurEngine = {
    setSource: (track) => void sources.push(track),
    close: () => {
      closed += 1;
    },
  };
  const starts: BlurSink[] = [];
  const loadEngine = async (output: BlurSink) => {
    starts.push(output);
    return engine;
  };
  return { sources, starts, loadEngine, closed: () => closed };
}

/** A camera, its on/off, the wish and a recording engine, wired into the BlurredCamera under test. */
function setUp() {
  const raw = signal<MediaStreamTrack | null>(fakeTrack("video", "camera-1"));
  const cameraOn = signal(true);
  const wanted = signal(false);
  const engine = fakeEngine();
  const camera = new BlurredCamera(raw, cameraOn, { wanted, loadEngine: engine.loadEngine });
  return { raw, cameraOn, wanted, engine, camera };
}

describe("the camera the call sends", () => {
  beforeEach(insertableStreams);

  it("is the camera's own track until blur is wanted, then a generator the engine feeds from the camera", async () => {
    const { raw, wanted, engine, camera } = setUp();
    expect(camera.track.value).toBe(raw.value);
    expect(engine.starts).toEqual([]);

    await act(async () => {
      wanted.value = true;
    });
    const generator = camera.track.value as unknown as FakeGenerator;
    expect(generator).toBeInstanceOf(FakeGenerator);
    expect(engine.starts).toEqual([generator.writable]);
    expect(engine.sources).toEqual([raw.value]);

    await act(async () => {
      wanted.value = false;
    });
    expect(camera.track.value).toBe(raw.value);
    expect(generator.stopped).toBe(true);
    expect(engine.closed()).toBe(1);
  });

  it("keeps the same generator across a camera switch and mute, so the call swaps nothing", async () => {
    const { raw, cameraOn, wanted, engine, camera } = setUp();
    await act(async () => {
      wanted.value = true;
    });
    const generator = camera.track.value as unknown as FakeGenerator;

    const other = fakeTrack("video", "camera-2");
    raw.value = other;
    expect(camera.track.value).toBe(generator);
    expect(engine.sources.at(-1)).toBe(other);

    cameraOn.value = false;
    expect(generator.enabled).toBe(false);
    expect(engine.sources.at(-1)).toBeNull();
    cameraOn.value = true;
    expect(generator.enabled).toBe(true);
    expect(engine.sources.at(-1)).toBe(other);
    expect(engine.starts.length).toBe(1);
  });

  it("lets go of the engine and the generator when the camera stops", async () => {
    const { raw, wanted, engine, camera } = setUp();
    await act(async () => {
      wanted.value = true;
    });
    const generator = camera.track.value as unknown as FakeGenerator;
    raw.value = null;
    expect(camera.track.value).toBeNull();
    expect(generator.stopped).toBe(true);
    expect(engine.closed()).toBe(1);
  });

  it("sends no unblurred frame while the engine loads, and shows the preview the generator", async () => {
    const { raw, wanted, camera } = setUp();
    const stream = signal<MediaStream | null>(new MediaStream([fakeTrack("audio"), raw.value as MediaStreamTrack]));
    const preview = camera.withTrack(stream);
    wanted.value = true;
    // Before the engine has even answered, the track is already the generator (with no frames yet).
    expect(camera.track.value).toBeInstanceOf(FakeGenerator);
    expect(preview.value?.getVideoTracks()).toEqual([camera.track.value]);
    expect(preview.value?.getAudioTracks()).toEqual(stream.value?.getAudioTracks());
  });

  it("turns blur off, and says so, when the engine cannot start here", async () => {
    insertableStreams();
    const raw = signal<MediaStreamTrack | null>(fakeTrack("video"));
    setBlurWanted(true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const camera = new BlurredCamera(raw, signal(true), {
      loadEngine: () => Promise.reject(new Error("no wasm here")),
    });
    renderHairCheck();
    await act(async () => {});
    expect(blurWanted.value).toBe(false);
    expect(camera.track.value).toBe(raw.value);
    expect(screen.getByText("Background blur could not start on this device.")).toBeTruthy();
    // Not remembered: the next visit tries again.
    expect(localStorage.getItem("natter:blur")).toBe("on");
    warn.mockRestore();
    camera.dispose();
  });
});

describe("the camera the call sends, where only a canvas can be captured (Firefox)", () => {
  beforeEach(withoutInsertableStreams);

  it("is at once a canvas's captured track, never the camera's, and the engine draws on that canvas", async () => {
    const { raw, wanted, engine, camera } = setUp();
    const stream = signal<MediaStream | null>(new MediaStream([fakeTrack("audio"), raw.value as MediaStreamTrack]));
    const preview = camera.withTrack(stream);
    wanted.value = true;
    // Before the engine has even answered: the sent and previewed track is the (still blank) canvas's.
    const sent = camera.track.value;
    expect(sent).not.toBe(raw.value);
    expect(sent?.kind).toBe("video");
    expect(preview.value?.getVideoTracks()).toEqual([sent]);
    await act(async () => {});
    expect(engine.starts.length).toBe(1);
    const canvas = engine.starts[0];
    expect(canvas).toBeInstanceOf(HTMLCanvasElement);
    expect((sent as CanvasCaptureMediaStreamTrack).canvas).toBe(canvas);
    expect(engine.sources).toEqual([raw.value]);
  });

  it("keeps the same track across a camera switch and mute, and stops it when blur is turned off", async () => {
    const { raw, cameraOn, wanted, engine, camera } = setUp();
    await act(async () => {
      wanted.value = true;
    });
    const sent = camera.track.value as MediaStreamTrack;
    const other = fakeTrack("video", "camera-2");
    raw.value = other;
    expect(camera.track.value).toBe(sent);
    expect(engine.sources.at(-1)).toBe(other);
    cameraOn.value = false;
    expect(sent.enabled).toBe(false);
    expect(engine.sources.at(-1)).toBeNull();
    cameraOn.value = true;
    expect(sent.enabled).toBe(true);
    expect(engine.starts.length).toBe(1);

    const stop = vi.spyOn(sent, "stop");
    await act(async () => {
      wanted.value = false;
    });
    expect(camera.track.value).toBe(other);
    expect(stop).toHaveBeenCalled();
    expect(engine.closed()).toBe(1);
  });
});
