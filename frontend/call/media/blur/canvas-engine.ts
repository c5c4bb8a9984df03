/**
 * The blur engine for browsers without insertable streams (Firefox, Safari), loaded on demand like
 * engine.ts: the camera's frames come from a <video> (video-frames.ts), each is blurred
 * (frame-blurrer.ts) and drawn onto the canvas whose captured track the call sends (blur-output.ts).
 * Only blurred frames are ever drawn there, so the sent track shows nothing else. The canvas takes
 * the camera's size, so the others get the same resolution as without blur.
 */
import type { BlurEngine } from "./engine";
import { FrameBlurrer } from "./frame-blurrer";
import { loadSegmenter } from "./segmenter";
import { onVideoFrames } from "./video-frames";

export async function startCanvasEngine(canvas: HTMLCanvasElement): Promise<BlurEngine> {
  const segmenter = await loadSegmenter();
  const context = canvas.getContext("2d");
  if (!context) {
    segmenter.close();
    throw new Error("no 2D canvas");
  }
  return new CanvasEngine(new FrameBlurrer(segmenter), context);
}

class CanvasEngine implements BlurEngine {
  readonly #blurrer: FrameBlurrer;
  readonly #output: CanvasRenderingContext2D;
  #source: MediaStreamTrack | null = null;
  #stopFrames: (() => void) | null = null;
  #closed = false;
  #warned = false;

  constructor(blurrer: FrameBlurrer, output: CanvasRenderingContext2D) {
    this.#blurrer = blurrer;
    this.#output = output;
  }

  setSource(track: MediaStreamTrack | null): void {
    if (this.#closed || track === this.#source) return;
    this.#source = track;
    this.#stopFrames?.();
    this.#stopFrames = track ? onVideoFrames(track, (video) => this.#process(video)) : null;
  }

  close(): void {
    if (this.#closed) return;
    this.setSource(null);
    this.#closed = true;
    this.#blurrer.close();
  }

  #process(video: HTMLVideoElement): void {
    const { videoWidth: width, videoHeight: height } = video;
    let blurred: OffscreenCanvas;
    try {
      blurred = this.#blurrer.blur(video, width, height);
    } catch (error) {
      // Nothing unblurred is drawn instead: the others keep the last blurred frame.
      if (!this.#warned) console.warn("Background blur skipped a frame:", error);
      this.#warned = true;
      return;
    }
    const canvas = this.#output.canvas;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    this.#output.drawImage(blurred, 0, 0);
  }
}
