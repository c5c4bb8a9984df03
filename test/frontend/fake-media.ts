import { signal } from "@preact/signals";
import type { MediaProblem } from "../../frontend/call/media/acquire";
import type { DeviceChoice, DeviceKind, DeviceList } from "../../frontend/call/media/devices";
import type { LocalMediaHandle, MediaPhase } from "../../frontend/call/media/local-media-handle";
import { NoiseSuppression } from "../../frontend/call/media/noise/noise-suppression";
import type { NoisePipeline } from "../../frontend/call/media/noise/pipeline";

/** Enough of a MediaStreamTrack for views: happy-dom has none to construct. */
export function fakeTrack(kind: "audio" | "video", deviceId = `${kind}-1`): MediaStreamTrack {
  return {
    kind,
    id: `${kind}-${Math.random()}`,
    enabled: true,
    getSettings: () => ({ deviceId }),
    stop() {},
    clone() {
      return fakeTrack(kind, deviceId);
    },
    addEventListener() {},
    removeEventListener() {},
  } as unknown as MediaStreamTrack;
}

/** A denoiser that runs at once and outputs a track of its own, for views that show the switch. */
export function fakePipeline(): NoisePipeline & { closed: boolean; inputs: MediaStreamTrack[] } {
  const pipeline = {
    output: fakeTrack("audio", ""),
    context: {} as AudioContext,
    closed: false,
    inputs: [] as MediaStreamTrack[],
    input(track: MediaStreamTrack) {
      pipeline.inputs.push(track);
    },
    running: async () => true,
    close() {
      pipeline.closed = true;
    },
  };
  return pipeline;
}

export const someDevices: DeviceList = {
  videoinput: [
    { id: "video-1", label: "Front camera" },
    { id: "video-2", label: "USB camera" },
  ],
  audioinput: [{ id: "audio-1", label: "Built-in microphone" }],
  audiooutput: [{ id: "default", label: "Speakers" }],
};

/** Camera and microphone as writable signals, recording what the view asked of them. */
export function fakeMedia(
  initial: { audio?: boolean; video?: boolean; phase?: MediaPhase; problem?: MediaProblem | null } = {},
) {
  const calls: unknown[][] = [];
  const audioTrack = signal<MediaStreamTrack | null>(initial.audio === false ? null : fakeTrack("audio"));
  const videoTrack = signal<MediaStreamTrack | null>(initial.video === false ? null : fakeTrack("video"));
  const tracks = [audioTrack.value, videoTrack.value].filter((t): t is MediaStreamTrack => t !== null);
  const media = {
    phase: signal<MediaPhase>(initial.phase ?? "ready"),
    audioTrack,
    videoTrack,
    stream: signal<MediaStream | null>(tracks.length > 0 ? new MediaStream(tracks) : null),
    micOn: signal(true),
    cameraOn: signal(true),
    pushToTalk: signal(false),
    problem: signal<MediaProblem | null>(initial.problem ?? null),
    devices: signal<DeviceList>(someDevices),
    choice: signal<DeviceChoice>({}),
    // The real switch logic over a stand-in pipeline: happy-dom has no AudioContext.
    noise: new NoiseSuppression(audioTrack, { open: async () => fakePipeline() }),
    calls,
    async start() {
      calls.push(["start"]);
    },
    async retry() {
      calls.push(["retry"]);
    },
    setMicOn(on: boolean) {
      calls.push(["setMicOn", on]);
      media.micOn.value = on;
    },
    setPushToTalk(held: boolean) {
      calls.push(["setPushToTalk", held]);
      media.pushToTalk.value = held && !media.micOn.value;
    },
    setCameraOn(on: boolean) {
      calls.push(["setCameraOn", on]);
      media.cameraOn.value = on;
    },
    async useDevice(kind: DeviceKind, deviceId: string) {
      calls.push(["useDevice", kind, deviceId]);
      return null;
    },
    release() {
      calls.push(["release"]);
    },
    stop() {
      calls.push(["stop"]);
    },
  };
  return media satisfies LocalMediaHandle;
}
