/**
 * The camera track the call sends and previews, blurred or not. While blur is wanted and a camera
 * runs, the track is the blur output (blur-output.ts: a generator in Chromium, a captured canvas
 * elsewhere) fed by the blur engine; otherwise it is the camera's own track.
 *
 * The output is made at once, before the engine has loaded, so a blurred camera never sends a
 * single unblurred frame: until the first processed frame the others see nothing new. It also
 * outlives camera switches and muting (only its source changes), so those need no replaceTrack;
 * turning blur on or off swaps the track, which media-sync sends with replaceTrack.
 * The engine (engine.ts or canvas-engine.ts: segmenter, model, wasm) is a separate chunk, fetched the first time blur
 * is turned on, and closed (letting go of its wasm memory and canvases) when blur is turned off or the
 * camera is let go; a muted camera only pauses it, so unmuting is instant.
 */
import { computed, effect, type ReadonlySignal, signal } from "@preact/signals-core";
import { type BlurOutput, type BlurPath, type BlurSink, blurPath, openBlurOutput } from "./blur-output";
import { blurFailed, blurWanted } from "./blur-setting";
import type { BlurEngine } from "./engine";

export interface BlurredCameraOptions {
  /** The person's wish; defaults to the remembered one (blur-setting.ts). */
  wanted?: ReadonlySignal<boolean>;
  /** Starts the engine writing to `sink`; defaults to fetching the engine's chunk for that kind of sink. */
  loadEngine?: (sink: BlurSink) => Promise<BlurEngine>;
}

const fetchEngine = (sink: BlurSink) =>
  sink instanceof WritableStream
    ? import("./engine").then((engine) => engine.startBlurEngine(sink))
    : import("./canvas-engine").then((engine) => engine.startCanvasEngine(sink));

export class BlurredCamera {
  readonly #raw: ReadonlySignal<MediaStreamTrack | null>;
  readonly #output = signal<BlurOutput | null>(null);
  #engine: BlurEngine | null = null;
  #loading: Promise<void> | null = null;
  /** The camera track the engine should read now; null pauses it. */
  #source: MediaStreamTrack | null = null;
  readonly #dispose: () => void;
  readonly #loadEngine: (sink: BlurSink) => Promise<BlurEngine>;

  /** What the call sends and the preview shows. */
  readonly track: ReadonlySignal<MediaStreamTrack | null>;

  constructor(
    raw: ReadonlySignal<MediaStreamTrack | null>,
    cameraOn: ReadonlySignal<boolean>,
    { wanted = blurWanted, loadEngine = fetchEngine }: BlurredCameraOptions = {},
  ) {
    this.#raw = raw;
    this.#loadEngine = loadEngine;
    this.track = computed(() => (raw.value && this.#output.value?.track) || raw.value);
    this.#dispose = effect(() => {
      const camera = raw.value;
      const path = blurPath();
      if (!wanted.value || !camera || !path) {
        this.#stop();
        return;
      }
      const output = this.#output.peek() ?? this.#start(path);
      // Muted: the output sends black, as the camera's own track would.
      output.track.enabled = cameraOn.value;
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

  #start(path: BlurPath): BlurOutput {
    const output = openBlurOutput(path);
    this.#output.value = output;
    return output;
  }

  #feed(source: MediaStreamTrack | null): void {
    this.#source = source;
    if (this.#engine) {
      this.#engine.setSource(source);
      return;
    }
    const output = this.#output.peek();
    if (this.#loading || !output) return;
    const loading = this.#loadEngine(output.sink).then(
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
    const output = this.#output.peek();
    if (!output) return;
    this.#output.value = null;
    output.track.stop();
  }
}
