import { describe, expect, it, vi } from "vitest";
import type { GetUserMedia } from "../../frontend/call/media/acquire";
import { loadDeviceChoice, saveDeviceChoice } from "../../frontend/call/media/device-choice";
import type { DeviceChoice } from "../../frontend/call/media/devices";
import { listDevices } from "../../frontend/call/media/devices";
import { LocalMedia } from "../../frontend/call/media/local-media";
import { say } from "../../frontend/i18n/problems";

class Track extends EventTarget {
  enabled = true;
  stopped = false;
  constructor(
    readonly kind: "audio" | "video",
    readonly deviceId = `${kind}-default`,
  ) {
    super();
  }
  stop() {
    this.stopped = true;
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
}

const streamOf = (...tracks: Track[]) => new MediaStream(tracks as unknown as MediaStreamTrack[]);

function setup(getUserMedia: GetUserMedia | null, choice: DeviceChoice = {}) {
  const saved: DeviceChoice[] = [];
  const devices = Object.assign(new EventTarget(), {
    enumerateDevices: vi.fn(async () => [
      { kind: "videoinput", deviceId: "cam-1", label: "Front", groupId: "" },
      { kind: "audioinput", deviceId: "mic-1", label: "", groupId: "" },
    ]),
  }) as unknown as MediaDevices;
  const media = new LocalMedia({ getUserMedia, mediaDevices: devices, choice, saveChoice: (c) => saved.push(c) });
  return { media, saved, devices };
}

describe("LocalMedia", () => {
  it("asks once for camera and microphone, preferring the devices picked last time", async () => {
    const mic = new Track("audio");
    const camera = new Track("video");
    const gum = vi.fn<GetUserMedia>(async () => streamOf(mic, camera));
    const { media } = setup(gum, { videoinput: "cam-1" });

    await Promise.all([media.start(), media.start()]);
    expect(gum).toHaveBeenCalledTimes(1);
    const asked = gum.mock.calls[0]?.[0] as { video: MediaTrackConstraints };
    // `ideal`, not `exact`: a camera that is gone falls back to another instead of failing.
    expect(asked.video.deviceId).toEqual({ ideal: "cam-1" });
    expect(media.phase.value).toBe("ready");
    expect([media.audioTrack.value, media.videoTrack.value]).toEqual([mic, camera]);
    // The device list follows without holding up start(): only the pickers need it.
    await vi.waitFor(() => expect(media.devices.value.videoinput).toEqual([{ id: "cam-1", label: "Front" }]));
    // Labels are hidden until permission; a nameless device still gets a readable one.
    expect(media.devices.value.audioinput).toEqual([{ id: "mic-1", label: "Microphone 1" }]);
  });

  it("turns the microphone and camera off by disabling the tracks, which keep running", async () => {
    const mic = new Track("audio");
    const camera = new Track("video");
    const { media } = setup(async () => streamOf(mic, camera));
    await media.start();
    media.setMicOn(false);
    media.setCameraOn(false);
    expect([mic.enabled, camera.enabled, mic.stopped, camera.stopped]).toEqual([false, false, false, false]);
    expect([media.micOn.value, media.cameraOn.value]).toEqual([false, false]);
  });

  it("makes do with the microphone alone, and says what is missing", async () => {
    const mic = new Track("audio");
    const { media } = setup(async (constraints) => {
      if (constraints.video) throw new DOMException("no camera", "NotFoundError");
      return streamOf(mic);
    });
    await media.start();
    expect(media.videoTrack.value).toBeNull();
    expect(media.audioTrack.value).toBe(mic);
    expect(media.problem.value).toEqual({ missing: "camera", reason: "NotFoundError" });
  });

  it("asks again on retry, after the person allowed access", async () => {
    let allowed = false;
    const { media } = setup(async () => {
      if (!allowed) throw new DOMException("blocked", "NotAllowedError");
      return streamOf(new Track("audio"), new Track("video"));
    });
    await media.start();
    expect(media.problem.value).toEqual({ missing: "both", reason: "NotAllowedError" });
    allowed = true;
    await media.retry();
    expect(media.problem.value).toBeNull();
    expect(media.stream.value?.getTracks()).toHaveLength(2);
  });

  it("switches a device, keeps its on/off state, stops the old track and remembers the choice", async () => {
    const camera = new Track("video");
    const usb = new Track("video", "usb");
    const gum = vi.fn<GetUserMedia>(async () => streamOf(new Track("audio"), camera));
    const { media, saved } = setup(gum);
    await media.start();
    media.setCameraOn(false);

    gum.mockImplementationOnce(async () => streamOf(usb));
    expect(await media.useDevice("videoinput", "usb")).toBeNull();
    expect(media.videoTrack.value).toBe(usb);
    expect(usb.enabled).toBe(false);
    expect(camera.stopped).toBe(true);
    expect(saved).toEqual([{ videoinput: "usb" }]);
    expect(media.stream.value?.getVideoTracks()).toEqual([usb]);

    expect(await media.useDevice("audiooutput", "speaker-2")).toBeNull();
    expect(media.choice.value).toEqual({ videoinput: "usb", audiooutput: "speaker-2" });
  });

  it("frees the old camera and tries again when two cannot run at once (phones)", async () => {
    const front = new Track("video");
    const back = new Track("video", "back");
    const gum = vi.fn<GetUserMedia>(async () => streamOf(front));
    const { media } = setup(gum);
    await media.start();
    gum.mockImplementationOnce(async () => {
      throw new DOMException("busy", "NotReadableError");
    });
    gum.mockImplementationOnce(async () => streamOf(back));
    expect(await media.useDevice("videoinput", "back")).toBeNull();
    expect(front.stopped).toBe(true);
    expect(media.videoTrack.value).toBe(back);
  });

  it("says why a device could not be switched to", async () => {
    const gum = vi.fn<GetUserMedia>(async () => streamOf(new Track("audio")));
    const { media, saved } = setup(gum);
    await media.start();
    gum.mockImplementation(async () => {
      throw new DOMException("gone", "NotFoundError");
    });
    expect(say((await media.useDevice("videoinput", "cam-9"))!)).toBe("That camera is no longer connected.");
    expect(saved).toEqual([]);
  });

  it("falls back to another device when the one in use is unplugged", async () => {
    const mic = new Track("audio");
    const spare = new Track("audio", "spare");
    const gum = vi.fn<GetUserMedia>(async () => streamOf(mic));
    const { media } = setup(gum);
    await media.start();
    gum.mockImplementationOnce(async () => streamOf(spare));
    mic.dispatchEvent(new Event("ended"));
    await vi.waitFor(() => expect(media.audioTrack.value).toBe(spare));
  });

  it("stops every track, even one that arrives after it was stopped", async () => {
    let grant!: (stream: MediaStream) => void;
    const { media } = setup(() => new Promise((resolve) => (grant = resolve)));
    const starting = media.start();
    media.stop();
    const late = new Track("video");
    grant(streamOf(late));
    await starting;
    expect(late.stopped).toBe(true);
    expect(media.videoTrack.value).toBeNull();
  });

  it("explains an insecure page, where there is no getUserMedia at all", async () => {
    const { media } = setup(null);
    await media.start();
    expect(media.problem.value).toEqual({ missing: "both", reason: "insecure" });
  });
});

describe("device choices", () => {
  it("are remembered on this device, and anything odd in storage is ignored", () => {
    saveDeviceChoice({ videoinput: "cam-1", audiooutput: "default" });
    expect(loadDeviceChoice()).toEqual({ videoinput: "cam-1", audiooutput: "default" });
    localStorage.setItem("natter:devices", "{not json");
    expect(loadDeviceChoice()).toEqual({});
    localStorage.setItem("natter:devices", JSON.stringify({ videoinput: 42 }));
    expect(loadDeviceChoice()).toEqual({});
    localStorage.clear();
  });

  it("list each device once, hiding those the browser will not name yet", () => {
    const info = (kind: string, deviceId: string, label = "") =>
      ({ kind, deviceId, label, groupId: "" }) as MediaDeviceInfo;
    expect(
      listDevices([info("audioinput", ""), info("audiooutput", "default", "Default"), info("audiooutput", "default")]),
    ).toEqual({ audioinput: [], videoinput: [], audiooutput: [{ id: "default", label: "Default" }] });
  });
});
