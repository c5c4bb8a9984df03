import { batch, computed, type ReadonlySignal, type Signal, signal } from "@preact/signals-core";
import { type Problem, problem } from "../../i18n/problem";
import {
  type AcquiredMedia,
  acquireLocalMedia,
  browserGetUserMedia,
  type GetUserMedia,
  type MediaProblem,
} from "./acquire";
import { BlurredCamera } from "./blur/blurred-camera";
import { CAMERA, type CaptureConstraints, captureConstraints, MICROPHONE } from "./constraints";
import { loadDeviceChoice, saveDeviceChoice } from "./device-choice";
import {
  type DeviceChoice,
  type DeviceKind,
  type DeviceList,
  type InputKind,
  listDevices,
  NO_DEVICES,
} from "./devices";
import { takeEarlyCapture } from "./early-capture";
import type { LocalMediaHandle, LocalMediaOptions, MediaDevicesLike, MediaPhase } from "./local-media-handle";
import { NoiseSuppression, type NoiseSuppressionHandle } from "./noise/noise-suppression";
import { describeSwitchError } from "./switch-problem";

/**
 * Our camera and microphone, from the hair check to the end of the call: the tracks previewed
 * before joining are the very tracks the call sends, so joining costs no second permission prompt
 * and no camera start-up. Muting disables a track instead of stopping it, so unmuting is instant
 * and needs no renegotiation; switching devices swaps the track, and the call swaps it on every
 * connection with replaceTrack.
 */
export class LocalMedia implements LocalMediaHandle {
  readonly #phase = signal<MediaPhase>("idle");
  readonly #audio = signal<MediaStreamTrack | null>(null);
  readonly #video = signal<MediaStreamTrack | null>(null);
  readonly #stream = signal<MediaStream | null>(null);
  readonly #micOn = signal(true);
  readonly #cameraOn = signal(true);
  readonly #held = signal(false);
  readonly #problem = signal<MediaProblem | null>(null);
  readonly #devices = signal<DeviceList>(NO_DEVICES);
  readonly #choice: Signal<DeviceChoice>;

  /** The microphone's track in, the track to send out (noise/noise-suppression.ts). */
  readonly #noise = new NoiseSuppression(this.#audio);
  readonly noise: NoiseSuppressionHandle = this.#noise;
  /** The camera as sent and previewed: blurred while the person wants it (blur/blurred-camera.ts). */
  readonly #blur = new BlurredCamera(this.#video, this.#cameraOn);

  readonly phase: ReadonlySignal<MediaPhase> = this.#phase;
  readonly audioTrack: ReadonlySignal<MediaStreamTrack | null> = this.#noise.track;
  readonly videoTrack: ReadonlySignal<MediaStreamTrack | null> = this.#blur.track;
  readonly stream: ReadonlySignal<MediaStream | null> = this.#blur.withTrack(this.#stream);
  readonly micOn: ReadonlySignal<boolean> = this.#micOn;
  readonly cameraOn: ReadonlySignal<boolean> = this.#cameraOn;
  readonly pushToTalk: ReadonlySignal<boolean> = computed(
    () => this.#held.value && !this.#micOn.value && this.#audio.value !== null,
  );
  readonly problem: ReadonlySignal<MediaProblem | null> = this.#problem;
  readonly devices: ReadonlySignal<DeviceList> = this.#devices;
  readonly choice: ReadonlySignal<DeviceChoice>;

  readonly #getUserMedia: GetUserMedia | null;
  readonly #mediaDevices: MediaDevicesLike | null;
  readonly #saveChoice: (choice: DeviceChoice) => void;
  #early: ((constraints: CaptureConstraints) => Promise<AcquiredMedia> | null) | null;
  #starting: Promise<void> | null = null;
  /** Bumped whenever tracks are let go, so an answer to an older request is not adopted. */
  #generation = 0;
  readonly #onDeviceChange = () => void this.#refreshDevices();

  constructor(options: LocalMediaOptions = {}) {
    this.#getUserMedia = options.getUserMedia === undefined ? browserGetUserMedia() : options.getUserMedia;
    this.#mediaDevices =
      options.mediaDevices === undefined
        ? ((typeof navigator === "undefined" ? null : navigator.mediaDevices) ?? null)
        : options.mediaDevices;
    this.#choice = signal(options.choice ?? loadDeviceChoice());
    this.choice = this.#choice;
    this.#saveChoice = options.saveChoice ?? saveDeviceChoice;
    this.#early = options.early ?? (options.getUserMedia === undefined ? takeEarlyCapture : null);
  }

  start(): Promise<void> {
    this.#starting ??= this.#acquire();
    return this.#starting;
  }

  retry(): Promise<void> {
    if (this.#phase.value === "asking" && this.#starting) return this.#starting;
    if (this.#phase.value === "stopped") return Promise.resolve();
    this.#release();
    this.#starting = this.#acquire();
    return this.#starting;
  }

  setMicOn(on: boolean): void {
    this.#micOn.value = on;
    this.#enableAudio();
  }

  setPushToTalk(held: boolean): void {
    this.#held.value = held;
    this.#enableAudio();
  }

  /** The microphone sends when it is on, or while push to talk is held (on the track that is sent). */
  #enableAudio(): void {
    const track = this.audioTrack.value;
    if (track) track.enabled = this.#micOn.value || this.#held.value;
  }

  setCameraOn(on: boolean): void {
    this.#cameraOn.value = on;
    const track = this.#video.value;
    if (track) track.enabled = on;
  }

  async useDevice(kind: DeviceKind, deviceId: string): Promise<Problem | null> {
    if (kind !== "audiooutput") {
      const problem = await this.#switchInput(kind, deviceId);
      if (problem !== null) return problem;
    }
    this.#choice.value = { ...this.#choice.value, [kind]: deviceId };
    this.#saveChoice(this.#choice.value);
    return null;
  }

  /** Lets go of camera and microphone until the next start() (turned away at a locked door). */
  release(): void {
    if (this.#phase.value === "stopped") return;
    this.#starting = null;
    this.#release();
    this.#phase.value = "idle";
  }

  stop(): void {
    if (this.#phase.value === "stopped") return;
    this.#phase.value = "stopped";
    this.#mediaDevices?.removeEventListener("devicechange", this.#onDeviceChange);
    this.#release();
    this.#noise.dispose();
    this.#blur.dispose();
  }

  async #acquire(): Promise<void> {
    this.#phase.value = "asking";
    const generation = this.#generation;
    const constraints = captureConstraints(this.#choice.value);
    // Only the first question can have been asked early; a retry asks again.
    const early = this.#early?.(constraints) ?? null;
    this.#early = null;
    const { stream, problem } = await (early ?? acquireLocalMedia(this.#getUserMedia, constraints));
    if (generation !== this.#generation) {
      for (const track of stream?.getTracks() ?? []) track.stop();
      return;
    }
    batch(() => {
      this.#adopt("audio", stream?.getAudioTracks()[0] ?? null);
      this.#adopt("video", stream?.getVideoTracks()[0] ?? null);
      // The stream getUserMedia made, as is: tests and previews can recognise it.
      this.#stream.value = stream && stream.getTracks().length > 0 ? stream : null;
      this.#problem.value = problem;
      this.#phase.value = "ready";
    });
    // Labels are only readable once a permission is granted, so the list is worth reading now;
    // but not waited for: start() is what a join waits on, and only the pickers need the list.
    this.#mediaDevices?.addEventListener("devicechange", this.#onDeviceChange);
    void this.#refreshDevices();
  }

  async #switchInput(kind: InputKind, deviceId: string): Promise<Problem | null> {
    const gum = this.#getUserMedia;
    if (!gum) return problem("noMediaHere");
    const key = kind === "audioinput" ? "audio" : "video";
    const base = key === "audio" ? MICROPHONE : CAMERA;
    const constraints = { [key]: deviceId ? { ...base, deviceId: { exact: deviceId } } : base };
    const old = this.#trackOf(key);
    const generation = this.#generation;
    let track: MediaStreamTrack | undefined;
    try {
      track = (await gum(constraints)).getTracks()[0];
    } catch (error) {
      if (!old) return describeSwitchError(key, error);
      // Phones often cannot open two cameras at once: let go of the old one and ask again.
      old.stop();
      this.#adopt(key, null);
      this.#publish();
      try {
        track = (await gum(constraints)).getTracks()[0];
      } catch (again) {
        return describeSwitchError(key, again);
      }
    }
    if (!track) return describeSwitchError(key, null);
    if (generation !== this.#generation) {
      track.stop();
      return null;
    }
    batch(() => {
      this.#adopt(key, track);
      this.#publish();
      if (this.#audio.value && this.#video.value) this.#problem.value = null;
    });
    if (old !== track) old?.stop();
    return null;
  }

  #trackOf(kind: "audio" | "video"): MediaStreamTrack | null {
    return kind === "audio" ? this.#audio.value : this.#video.value;
  }

  #adopt(kind: "audio" | "video", track: MediaStreamTrack | null): void {
    if (track) {
      track.enabled = kind === "audio" ? this.#micOn.value || this.#held.value : this.#cameraOn.value;
      // Unplugged, or the permission was revoked: fall back to whatever device is left.
      track.addEventListener("ended", () => {
        if (this.#trackOf(kind) === track && this.#phase.value !== "stopped")
          void this.#switchInput(kind === "audio" ? "audioinput" : "videoinput", "");
      });
    }
    if (kind === "audio") this.#audio.value = track;
    else this.#video.value = track;
  }

  #publish(): void {
    const tracks = [this.#audio.value, this.#video.value].filter((t): t is MediaStreamTrack => t !== null);
    this.#stream.value = tracks.length > 0 ? new MediaStream(tracks) : null;
  }

  #release(): void {
    this.#generation += 1;
    batch(() => {
      this.#audio.value?.stop();
      this.#video.value?.stop();
      this.#audio.value = null;
      this.#video.value = null;
      this.#stream.value = null;
    });
  }

  async #refreshDevices(): Promise<void> {
    if (!this.#mediaDevices) return;
    try {
      this.#devices.value = listDevices(await this.#mediaDevices.enumerateDevices());
    } catch {
      // Listing devices is a convenience: the default ones still work.
    }
  }
}
