/**
 * What we ask the camera and microphone for. One place, because two callers must ask for exactly
 * the same thing: the page's first module (which starts the camera early, see early-capture.ts)
 * and LocalMedia (which takes that answer only if it would have asked the same question).
 */
import type { DeviceChoice, InputKind } from "./device-choice";

/**
 * 16:9 like the tiles, and modest: in a full mesh every frame is encoded and sent once per other
 * person, so a 1080p camera would cost seven uploads of 1080p in a call of eight.
 */
export const CAMERA: MediaTrackConstraints = {
  width: { ideal: 960 },
  height: { ideal: 540 },
  frameRate: { ideal: 24, max: 30 },
};
export const MICROPHONE: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

export interface CaptureConstraints {
  audio: MediaTrackConstraints;
  video: MediaTrackConstraints;
}

/** A remembered device is only `ideal`: if it is gone, any device beats no device. */
export function inputConstraints(kind: InputKind, choice: DeviceChoice): MediaTrackConstraints {
  const base = kind === "audioinput" ? MICROPHONE : CAMERA;
  const id = choice[kind];
  return id ? { ...base, deviceId: { ideal: id } } : base;
}

export function captureConstraints(choice: DeviceChoice): CaptureConstraints {
  return { audio: inputConstraints("audioinput", choice), video: inputConstraints("videoinput", choice) };
}
