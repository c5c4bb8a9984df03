/**
 * The contract of LocalMedia (local-media.ts): what a view may read about our own camera and
 * microphone, what it may ask of them, and how the engine is built. Apart from the class, so the
 * many readers of the handle (views, the call's parts, tests) depend on the shape, not the code.
 */
import type { ReadonlySignal } from "@preact/signals-core";
import type { Problem } from "../../i18n/problem";
import type { AcquiredMedia, GetUserMedia, MediaProblem } from "./acquire";
import type { CaptureConstraints } from "./constraints";
import type { DeviceChoice, DeviceKind, DeviceList } from "./devices";
import type { NoiseSuppressionHandle } from "./noise/noise-suppression";

/** "asking": the permission prompt (or the devices) have not answered yet. */
export type MediaPhase = "idle" | "asking" | "ready" | "stopped";

export type MediaDevicesLike = Pick<MediaDevices, "enumerateDevices" | "addEventListener" | "removeEventListener">;

export interface LocalMediaOptions {
  /** Defaults to the browser's; null means there is no way to capture (an insecure page). */
  getUserMedia?: GetUserMedia | null;
  /** Where devices are listed and plugged in or out; defaults to navigator.mediaDevices. */
  mediaDevices?: MediaDevicesLike | null;
  /** The devices picked last time; defaults to what this device remembers. */
  choice?: DeviceChoice;
  saveChoice?: (choice: DeviceChoice) => void;
  /**
   * The answer to a question asked before the app loaded, if it was this question (see
   * early-capture.ts); only with the browser's own getUserMedia, never with one handed in.
   */
  early?: (constraints: CaptureConstraints) => Promise<AcquiredMedia> | null;
}

/** What a view may read about our own camera and microphone. */
export interface LocalMediaState {
  readonly phase: ReadonlySignal<MediaPhase>;
  readonly audioTrack: ReadonlySignal<MediaStreamTrack | null>;
  readonly videoTrack: ReadonlySignal<MediaStreamTrack | null>;
  /** Camera and microphone together, for previews; a new object whenever a track changes. */
  readonly stream: ReadonlySignal<MediaStream | null>;
  readonly micOn: ReadonlySignal<boolean>;
  readonly cameraOn: ReadonlySignal<boolean>;
  /** Muted, but talking for now: push to talk (Space) is held. */
  readonly pushToTalk: ReadonlySignal<boolean>;
  readonly problem: ReadonlySignal<MediaProblem | null>;
  readonly devices: ReadonlySignal<DeviceList>;
  readonly choice: ReadonlySignal<DeviceChoice>;
  /** Noise suppression on the microphone: while on, `audioTrack` is the processed sound. */
  readonly noise: NoiseSuppressionHandle;
}

export interface LocalMediaControls {
  /** Asks for camera and microphone once; later calls return the same promise. */
  start(): Promise<void>;
  /** Asks again, after the person allowed access or plugged a device in. */
  retry(): Promise<void>;
  setMicOn(on: boolean): void;
  setCameraOn(on: boolean): void;
  /** Push to talk: while held, a muted microphone sends (the same track, enabled: no renegotiation). */
  setPushToTalk(held: boolean): void;
  /** Switches to another device; resolves to why it failed, or null. */
  useDevice(kind: DeviceKind, deviceId: string): Promise<Problem | null>;
  release(): void;
  stop(): void;
}

export type LocalMediaHandle = LocalMediaState & LocalMediaControls;
