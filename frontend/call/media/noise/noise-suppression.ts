/**
 * Noise suppression on our microphone: the switch (remembered on this device) and which track the
 * call sends. Off, the microphone's own track goes out with the browser's processing, as always;
 * on, the track RNNoise made (pipeline.ts, a lazy chunk fetched the first time it is turned on).
 * `track` is what LocalMedia exposes as its audio track, so the senders (replaceTrack, no
 * renegotiation: media-sync.ts), the mic meter and the speaking indicator all follow it.
 *
 * Mute stays `enabled` on the track that is sent: when the processed track takes over it inherits
 * the microphone's state, and the microphone itself stays enabled underneath, so the level meter
 * (which measures a clone of the sent track) still hears a muted person; handing back does the reverse.
 */
import { batch, computed, effect, type ReadonlySignal, type Signal, signal } from "@preact/signals-core";
import type { NoisePipeline } from "./pipeline";
import { loadNoisePreference, saveNoisePreference } from "./preference";

/** "starting": loading the denoiser, or waiting for the audio to be allowed to run. */
export type NoiseStatus = "off" | "starting" | "on" | "unavailable";

export interface NoiseSuppressionHandle {
  /** What the person asked for (the switch). */
  readonly wanted: ReadonlySignal<boolean>;
  /** What happens: the processed sound is sent only while "on". */
  readonly status: ReadonlySignal<NoiseStatus>;
  set(on: boolean): void;
}

export type OpenPipeline = (track: MediaStreamTrack) => Promise<NoisePipeline>;

export interface NoiseSuppressionOptions {
  /** Defaults to the lazily loaded RNNoise pipeline. */
  open?: OpenPipeline;
  /** Defaults to what this device remembers. */
  initial?: boolean;
  save?: (on: boolean) => void;
}

const openRnnoise: OpenPipeline = async (track) => (await import("./pipeline")).openPipeline(track);

export class NoiseSuppression implements NoiseSuppressionHandle {
  readonly #raw: ReadonlySignal<MediaStreamTrack | null>;
  readonly #wanted: Signal<boolean>;
  readonly #status = signal<NoiseStatus>("off");
  /** Running and sending; null while off or starting. */
  readonly #pipeline = signal<NoisePipeline | null>(null);
  readonly #open: OpenPipeline;
  readonly #save: (on: boolean) => void;
  /** Bumped whenever suppression stops, so a pipeline still opening is closed when it arrives. */
  #generation = 0;
  #opening: NoisePipeline | "loading" | null = null;
  readonly #stop: () => void;

  readonly wanted: ReadonlySignal<boolean>;
  readonly status: ReadonlySignal<NoiseStatus> = this.#status;
  /** The track to send: the processed one while on, else the microphone's. */
  readonly track: ReadonlySignal<MediaStreamTrack | null>;

  constructor(raw: ReadonlySignal<MediaStreamTrack | null>, options: NoiseSuppressionOptions = {}) {
    this.#raw = raw;
    this.#wanted = signal(options.initial ?? loadNoisePreference());
    this.wanted = this.#wanted;
    this.#open = options.open ?? openRnnoise;
    this.#save = options.save ?? saveNoisePreference;
    this.track = computed(() => {
      const mic = this.#raw.value;
      return mic && this.#pipeline.value ? this.#pipeline.value.output : mic;
    });
    this.#stop = effect(() => this.#follow(this.#raw.value, this.#wanted.value));
  }

  set(on: boolean): void {
    this.#wanted.value = on;
    this.#save(on);
  }

  /** Lets go of the pipeline for good (media stopped). */
  dispose(): void {
    this.#stop();
    this.#close();
  }

  #follow(mic: MediaStreamTrack | null, wanted: boolean): void {
    if (!mic || !wanted) {
      this.#close();
      if (this.#status.peek() !== "unavailable" || !wanted) this.#status.value = "off";
      return;
    }
    const pipeline = this.#pipeline.peek();
    if (pipeline) {
      // Another microphone (a device switch): the same processed track keeps going out.
      pipeline.input(mic);
      mic.enabled = true;
    } else if (this.#opening === null) void this.#start(mic);
  }

  async #start(mic: MediaStreamTrack): Promise<void> {
    const generation = this.#generation;
    this.#opening = "loading";
    this.#status.value = "starting";
    let pipeline: NoisePipeline;
    try {
      pipeline = await this.#open(mic);
    } catch (error) {
      if (generation !== this.#generation) return;
      // No AudioWorklet here, or the files could not be fetched: the browser's processing stays.
      console.warn("natter: noise suppression is unavailable", error);
      this.#opening = null;
      this.#status.value = "unavailable";
      return;
    }
    if (generation !== this.#generation) return pipeline.close();
    this.#opening = pipeline;
    const running = await pipeline.running();
    const current = this.#raw.peek();
    if (generation !== this.#generation || !running || !current) return pipeline.close();
    this.#opening = null;
    if (current !== mic) pipeline.input(current);
    pipeline.output.enabled = current.enabled;
    current.enabled = true;
    batch(() => {
      this.#pipeline.value = pipeline;
      this.#status.value = "on";
    });
  }

  #close(): void {
    this.#generation += 1;
    if (this.#opening !== null && this.#opening !== "loading") this.#opening.close();
    this.#opening = null;
    const pipeline = this.#pipeline.peek();
    if (!pipeline) return;
    const mic = this.#raw.peek();
    if (mic) mic.enabled = pipeline.output.enabled;
    this.#pipeline.value = null;
    pipeline.close();
  }
}
