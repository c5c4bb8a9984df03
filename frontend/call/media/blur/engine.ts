/**
 * The blur engine, loaded on demand as its own chunk: reads the camera's frames, finds the person
 * in each, and writes the blurred frames to the generator track that the call sends.
 *
 * Frames are read with maxBufferSize 1, so when a frame takes longer than the camera's interval the
 * older ones are dropped rather than queued: the picture stays live, at a lower rate. Segmentation
 * runs on a small copy of the frame (the model's own 256x144), and when it takes more than half of
 * the camera's frame interval, every other frame reuses the last mask: the outline then lags by a
 * frame, but the picture keeps its rate.
 */
import { Compositor } from "./compositor";
import { loadSegmenter, type Segmenter } from "./segmenter";

/** Above this share of the frame interval spent segmenting, every other frame reuses the last mask. */
const SEGMENT_BUDGET = 0.5;
/** The camera asks for 24 fps at most 30 (constraints.ts): budgeted for 30. */
const FRAME_INTERVAL_MS = 1000 / 30;

export interface BlurEngine {
  /** The camera track to read; null pauses (a muted camera). */
  setSource(track: MediaStreamTrack | null): void;
  /** Stops reading and lets go of the segmenter (its wasm memory) and the canvases. */
  close(): void;
}

export async function startBlurEngine(output: WritableStream<VideoFrame>): Promise<BlurEngine> {
  const segmenter = await loadSegmenter();
  return new Engine(segmenter, output.getWriter());
}

class Engine implements BlurEngine {
  readonly #segmenter: Segmenter;
  readonly #writer: WritableStreamDefaultWriter<VideoFrame>;
  readonly #compositor = new Compositor();
  /** The frame at the segmenter's size, read back as pixels for it. */
  readonly #small: OffscreenCanvasRenderingContext2D;
  #reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  #source: MediaStreamTrack | null = null;
  #closed = false;
  #mask: OffscreenCanvas | null = null;
  #segmentMs = 0;
  #frames = 0;

  constructor(segmenter: Segmenter, writer: WritableStreamDefaultWriter<VideoFrame>) {
    this.#segmenter = segmenter;
    this.#writer = writer;
    const small = new OffscreenCanvas(segmenter.width, segmenter.height).getContext("2d", {
      willReadFrequently: true,
    });
    if (!small) throw new Error("no 2D canvas");
    this.#small = small;
  }

  setSource(track: MediaStreamTrack | null): void {
    if (this.#closed || track === this.#source) return;
    this.#source = track;
    void this.#reader?.cancel().catch(() => {});
    this.#reader = null;
    if (track) void this.#run(track);
  }

  close(): void {
    if (this.#closed) return;
    this.setSource(null);
    this.#closed = true;
    this.#segmenter.close();
    this.#mask = null;
    void this.#writer.close().catch(() => {});
  }

  async #run(track: MediaStreamTrack): Promise<void> {
    const Processor = globalThis.MediaStreamTrackProcessor as NonNullable<typeof MediaStreamTrackProcessor>;
    const reader = new Processor({ track, maxBufferSize: 1 }).readable.getReader();
    this.#reader = reader;
    try {
      while (this.#reader === reader) {
        const { value: frame, done } = await reader.read();
        if (done) break;
        try {
          if (this.#reader === reader) await this.#process(frame);
        } finally {
          frame.close();
        }
      }
    } catch {
      // The camera ended or the generator was stopped: nothing more to blur from this track.
    } finally {
      void reader.cancel().catch(() => {});
    }
  }

  async #process(frame: VideoFrame): Promise<void> {
    this.#frames += 1;
    const slow = this.#segmentMs > FRAME_INTERVAL_MS * SEGMENT_BUDGET;
    if (!this.#mask || !slow || this.#frames % 2 === 0) {
      const started = performance.now();
      const { width, height } = this.#segmenter;
      this.#small.drawImage(frame, 0, 0, width, height);
      this.#mask = this.#segmenter.segment(this.#small.getImageData(0, 0, width, height));
      this.#segmentMs = performance.now() - started;
    }
    const canvas = this.#compositor.draw(frame, frame.displayWidth, frame.displayHeight, this.#mask);
    const out = new VideoFrame(canvas, { timestamp: frame.timestamp });
    try {
      await this.#writer.write(out);
    } finally {
      out.close();
    }
  }
}
