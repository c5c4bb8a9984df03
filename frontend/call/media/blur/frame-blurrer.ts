/**
 * One camera frame in, the same frame with its background blurred out: the part both engines share
 * (engine.ts reads VideoFrames from insertable streams, canvas-engine.ts draws a <video>). Lazy,
 * with them. Segmentation runs on a small copy of the frame (the model's own 256x144), and when it
 * takes more than half of the camera's frame interval, every other frame reuses the last mask: the
 * outline then lags by a frame, but the picture keeps its rate.
 */
import { Compositor } from "./compositor";
import type { Segmenter } from "./segmenter";

/** Above this share of the frame interval spent segmenting, every other frame reuses the last mask. */
const SEGMENT_BUDGET = 0.5;
/** The camera asks for 24 fps at most 30 (constraints.ts): budgeted for 30. */
const FRAME_INTERVAL_MS = 1000 / 30;

export class FrameBlurrer {
  readonly #segmenter: Segmenter;
  readonly #compositor = new Compositor();
  /** The frame at the segmenter's size, read back as pixels for it. */
  readonly #small: OffscreenCanvasRenderingContext2D;
  #mask: OffscreenCanvas | null = null;
  #segmentMs = 0;
  #frames = 0;

  constructor(segmenter: Segmenter) {
    this.#segmenter = segmenter;
    const small = new OffscreenCanvas(segmenter.width, segmenter.height).getContext("2d", {
      willReadFrequently: true,
    });
    if (!small) throw new Error("no 2D canvas");
    this.#small = small;
  }

  /** The blurred frame (`frame` is width x height), in a canvas valid until the next call. */
  blur(frame: CanvasImageSource, width: number, height: number): OffscreenCanvas {
    this.#frames += 1;
    const slow = this.#segmentMs > FRAME_INTERVAL_MS * SEGMENT_BUDGET;
    if (!this.#mask || !slow || this.#frames % 2 === 0) {
      const started = performance.now();
      const { width: w, height: h } = this.#segmenter;
      this.#small.drawImage(frame, 0, 0, w, h);
      this.#mask = this.#segmenter.segment(this.#small.getImageData(0, 0, w, h));
      this.#segmentMs = performance.now() - started;
    }
    return this.#compositor.draw(frame, width, height, this.#mask);
  }

  /** Lets go of the segmenter (its wasm memory) and the mask. */
  close(): void {
    this.#segmenter.close();
    this.#mask = null;
  }
}
