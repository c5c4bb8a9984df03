/**
 * The blur engine, loaded on demand as its own chunk: reads the camera's frames, finds the person
 * in each, and writes the blurred frames to the generator track that the call sends.
 *
 * Frames are read with maxBufferSize 1, so when a frame takes longer than the camera's interval the
 * older ones are dropped rather than queued: the picture stays live, at a lower rate. Segmentation
 * runs on a small copy of the frame (the model sees 256x144 anyway), and when it alone eats more
 * than half of the camera's frame interval the last mask is reused for every other frame.
 */
import { Compositor } from "./compositor";
import { loadSegmenter, type Segmenter } from "./segmenter";

/** The size the segmenter is given: the landscape model's own input, so no scaling inside. */
const SEGMENT_WIDTH = 256;
const SEGMENT_HEIGHT = 144;
/** Above this share of the frame interval spent segmenting, every other frame reuses the last mask. */
const SEGMENT_BUDGET = 0.5;
const FRAME_INTERVAL_MS = 1000 / 30;

export interface BlurEngine {
  /** The camera track to read; null pauses (a muted camera). */
  setSource(track: MediaStreamTrack | null): void;
  /** Stops reading and frees the segmenter's wasm memory and GL context. */
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
  /** What the segmenter is given: a canvas element, which is what the solution accepts. */
  readonly #small: CanvasRenderingContext2D;
  #reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  #source: MediaStreamTrack | null = null;
  #closed = false;
  #mask: HTMLCanvasElement | null = null;
  #segmentMs = 0;
  #frame = 0;

  constructor(segmenter: Segmenter, writer: WritableStreamDefaultWriter<VideoFrame>) {
    this.#segmenter = segmenter;
    this.#writer = writer;
    const canvas = document.createElement("canvas");
    canvas.width = SEGMENT_WIDTH;
    canvas.height = SEGMENT_HEIGHT;
    const small = canvas.getContext("2d");
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
    const width = frame.displayWidth;
    const height = frame.displayHeight;
    this.#frame += 1;
    const slow = this.#segmentMs > FRAME_INTERVAL_MS * SEGMENT_BUDGET;
    if (!this.#mask || !slow || this.#frame % 2 === 0) {
      const started = performance.now();
      this.#small.drawImage(frame, 0, 0, SEGMENT_WIDTH, SEGMENT_HEIGHT);
      this.#mask = await this.#segmenter.segment(this.#small.canvas);
      this.#segmentMs = performance.now() - started;
    }
    if (!this.#mask) return;
    const canvas = this.#compositor.draw(frame, width, height, this.#mask);
    const out = new VideoFrame(canvas, { timestamp: frame.timestamp });
    try {
      await this.#writer.write(out);
    } finally {
      out.close();
    }
  }
}
