/**
 * The camera track the call sends and previews, blurred or not. While blur is wanted and a camera
 * runs, the track is a generator fed by the blur engine; otherwise it is the camera's own track.
 *
 * The generator is made at once, before the engine has loaded, so a blurred camera never sends a
 * single unblurred frame: until the first processed frame the others see nothing new. It also
 * outlives camera switches and muting (only its source changes), so those need no replaceTrack;
 * turning blur on or off swaps the track, which media-sync sends with replaceTrack.
 * The engine (engine.ts: segmenter, model, wasm) is a separate chunk, fetched the first time blur
 * is turned on, and closed (letting go of its wasm memory and canvases) when blur is turned off or the
 * camera is let go; a muted camera only pauses it, so unmuting is instant.
 */
import { computed, effect, type ReadonlySignal, signal } from "@preact/signals-core";
import { blurFailed, blurSupported, blurWanted } from "./blur-setting";
import type { BlurEngine } from "./engine";

export interface BlurredCameraOptions {
  /** The person's wish; defaults to the remembered one (blur-setting.ts). */
  wanted?: ReadonlySignal<boolean>;
  /** Starts the engine writing to `output`; defaults to fetching the engine's chunk. */
  loadEngine?: (output: WritableStream<VideoFrame>) => Promise<BlurEngine>;
}

const fetchEngine = (output: WritableStream<VideoFrame>) =>
  import("./engine").then((engine) => engine.startBlurEngine(output));

export class BlurredCamera {
  readonly #raw: ReadonlySignal<MediaStreamTrack | null>;
  readonly #generator = signal<MediaStreamTrackGenerator | null>(null);
  #engine: BlurEngine | null = null;
  #loading: Promise<void> | null = null;
  /** The camera track the engine should read now; null pauses it. */
  #source: MediaStreamTrack | null = null;
  readonly #dispose: () => void;
  readonly #loadEngine: (output: WritableStream<VideoFrame>) => Promise<BlurEngine>;

  /** What the call sends and the preview shows. */
  readonly track: ReadonlySignal<MediaStreamTrack | null>;

  constructor(
    raw: ReadonlySignal<MediaStreamTrack | null>,
    cameraOn: ReadonlySignal<boolean>,
    { wanted = blurWanted, loadEngine = fetchEngine }: BlurredCameraOptions = {},
  ) {
    this.#raw = raw;
    this.#loadEngine = loadEngine;
    this.track = computed(() => (raw.value && this.#generator.value) || raw.value);
    this.#dispose = effect(() => {
      const camera = raw.value;
      if (!wanted.value || !camera || !blurSupported()) {
        this.#stop();
        return;
      }
      const generator = this.#generator.peek() ?? this.#start();
      generator.enabled = cameraOn.value;
      this.#feed(cameraOn.value ? camera : null);
    });
  }

  /** A stream with our microphone and the track above, for previews and senders. */
  withTrack(stream: ReadonlySignal<MediaStream | null>): ReadonlySignal<MediaStream | null> {
    return computed(() => {
      const original = stream.value;
      const track = this.track.value;
      if (!original || !track || track === this.#raw.value) return original;
      return new MediaStream([...original.getAudioTracks(), track]);
    });
  }

  dispose(): void {
    this.#dispose();
    this.#stop();
  }

  #start(): MediaStreamTrackGenerator {
    const Generator = globalThis.MediaStreamTrackGenerator as NonNullable<typeof MediaStreamTrackGenerator>;
    const generator = new Generator({ kind: "video" });
    this.#generator.value = generator;
    return generator;
  }

  #feed(source: MediaStreamTrack | null): void {
    this.#source = source;
    if (this.#engine) {
      this.#engine.setSource(source);
      return;
    }
    const generator = this.#generator.peek();
    if (this.#loading || !generator) return;
    const loading = this.#loadEngine(generator.writable).then(
      (engine) => {
        if (this.#loading !== loading) return engine.close();
        this.#loading = null;
        this.#engine = engine;
        engine.setSource(this.#source);
      },
      (error: unknown) => {
        if (this.#loading !== loading) return;
        console.warn("Background blur could not start:", error);
        this.#loading = null;
        blurFailed();
      },
    );
    this.#loading = loading;
  }

  #stop(): void {
    this.#source = null;
    this.#loading = null;
    this.#engine?.close();
    this.#engine = null;
    const generator = this.#generator.peek();
    if (!generator) return;
    this.#generator.value = null;
    generator.stop();
  }
}
