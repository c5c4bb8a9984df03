/**
 * The blur engine, loaded on demand as its own chunk: reads the camera's frames, finds the person
 * in each, and writes the blurred frames to the generator track that the call sends.
 *
 * Chromium's way (blur-output.ts picks it where insertable streams exist). Frames are read with
 * maxBufferSize 1, so when a frame takes longer than the camera's interval the older ones are
 * dropped rather than queued: the picture stays live, at a lower rate. The blurring itself, with
 * its segmentation budget, is frame-blurrer.ts, shared with the canvas fallback.
 */
import { FrameBlurrer } from "./frame-blurrer";
import { loadSegmenter } from "./segmenter";

export interface BlurEngine {
  /** The camera track to read; null pauses (a muted camera). */
  setSource(track: MediaStreamTrack | null): void;
  /** Stops reading and lets go of the segmenter (its wasm memory) and the canvases. */
  close(): void;
}

export async function startBlurEngine(output: WritableStream<VideoFrame>): Promise<BlurEngine> {
  const segmenter = await loadSegmenter();
  return new Engine(new FrameBlurrer(segmenter), output.getWriter());
}

class Engine implements BlurEngine {
  readonly #blurrer: FrameBlurrer;
  readonly #writer: WritableStreamDefaultWriter<VideoFrame>;
  #reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  #source: MediaStreamTrack | null = null;
  #closed = false;

  constructor(blurrer: FrameBlurrer, writer: WritableStreamDefaultWriter<VideoFrame>) {
    this.#blurrer = blurrer;
    this.#writer = writer;
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
    this.#blurrer.close();
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
    const canvas = this.#blurrer.blur(frame, frame.displayWidth, frame.displayHeight);
    const out = new VideoFrame(canvas, { timestamp: frame.timestamp });
    try {
      await this.#writer.write(out);
    } finally {
      out.close();
    }
  }
}
