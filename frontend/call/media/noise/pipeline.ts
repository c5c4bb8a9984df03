/**
 * The denoiser itself, in a chunk of its own (noise-suppression.ts imports it on first use): a
 * microphone track in, RNNoise in an AudioWorklet, a processed track out. The worklet script and
 * the wasm are hashed build assets under /assets/ (immutable caching), fetched from this origin
 * only when someone turns suppression on; nothing about the sound ever leaves the device.
 */
import { loadRnnoise, RnnoiseWorkletNode } from "@sapphi-red/web-noise-suppressor";
import wasmUrl from "@sapphi-red/web-noise-suppressor/rnnoise.wasm?url";
import simdUrl from "@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm?url";
import workletUrl from "@sapphi-red/web-noise-suppressor/rnnoiseWorklet.js?url";

/** RNNoise works on 10 ms frames at 48 kHz; the package assumes that rate. */
const SAMPLE_RATE = 48_000;

/** The wasm is fetched once per page: turning suppression off and on again reuses it. */
let binary: Promise<ArrayBuffer> | null = null;

export interface NoisePipeline {
  /** The processed sound, the same track for as long as the pipeline lives (device switches included). */
  readonly output: MediaStreamTrack;
  readonly context: AudioContext;
  /** Feeds another microphone track in (a device switch), without a new output track. */
  input(track: MediaStreamTrack): void;
  /**
   * Resolves true once the audio runs, false if closed first. A context made without a click or
   * key press may start suspended: it then resumes at the person's next one.
   */
  running(): Promise<boolean>;
  /** Stops the worklet, frees the wasm's memory and closes the AudioContext. */
  close(): void;
}

/** The smallest valid module: compiling it says whether this page may compile wasm at all. */
const EMPTY_WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export async function openPipeline(track: MediaStreamTrack): Promise<NoisePipeline> {
  // A worklet whose wasm may not compile (a policy without 'wasm-unsafe-eval', see the Worker's
  // security headers) fails out of sight and outputs silence: find out here, and say "unavailable".
  await WebAssembly.compile(EMPTY_WASM);
  binary ??= loadRnnoise({ url: wasmUrl, simdUrl }).catch((error: unknown) => {
    binary = null;
    throw error;
  });
  // Its own context, not the page's shared one: RNNoise needs 48 kHz, and closing it on "off"
  // gives back the audio thread's time.
  const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: "interactive" });
  try {
    const [wasmBinary] = await Promise.all([binary, context.audioWorklet.addModule(workletUrl)]);
    const node = new RnnoiseWorkletNode(context, { maxChannels: 1, wasmBinary });
    // A microphone is one voice: mix anything wider down to the one channel RNNoise processes.
    node.channelCount = 1;
    node.channelCountMode = "explicit";
    const destination = context.createMediaStreamDestination();
    destination.channelCount = 1;
    node.connect(destination);
    let source: MediaStreamAudioSourceNode | null = null;
    const input = (next: MediaStreamTrack) => {
      source?.disconnect();
      source = context.createMediaStreamSource(new MediaStream([next]));
      source.connect(node);
    };
    input(track);
    const output = destination.stream.getAudioTracks()[0];
    if (!output) throw new Error("no processed track");
    return {
      output,
      context,
      input,
      running: () => whenRunning(context),
      close() {
        if (context.state === "closed") return;
        source?.disconnect();
        node.disconnect();
        node.destroy();
        output.stop();
        void context.close().catch(() => {});
      },
    };
  } catch (error) {
    void context.close();
    throw error;
  }
}

function whenRunning(context: AudioContext): Promise<boolean> {
  if (context.state === "running") return Promise.resolve(true);
  return new Promise((resolve) => {
    const resume = () => void context.resume().catch(() => {});
    const settle = () => {
      if (context.state === "suspended") return;
      context.removeEventListener("statechange", settle);
      removeEventListener("pointerdown", resume, true);
      removeEventListener("keydown", resume, true);
      resolve(context.state === "running");
    };
    context.addEventListener("statechange", settle);
    addEventListener("pointerdown", resume, true);
    addEventListener("keydown", resume, true);
    resume();
  });
}
