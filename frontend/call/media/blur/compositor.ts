/**
 * Draws one blurred frame: the camera frame, heavily blurred, with the person from the same frame
 * laid sharp on top through the segmenter's mask. Canvas 2D only, no shaders: the blur is a cheap
 * one (shrink to a fifth, soften, stretch back), and the mask is stretched with smoothing, which
 * gives the person a soft edge instead of a staircase.
 */
import type { PersonMask } from "./segmenter";

/** How much smaller the background is drawn before it is stretched back: the strength of the blur. */
const SHRINK = 5;
/** Confidence below which a pixel is background, and above which it is fully the person. */
const BACKGROUND_BELOW = 0.25;
const PERSON_ABOVE = 0.65;

type Context = OffscreenCanvasRenderingContext2D;
type Layer = "out" | "person" | "background" | "mask";

function context(width: number, height: number): Context {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2D canvas");
  return ctx;
}

export class Compositor {
  readonly #layers = new Map<Layer, Context>();
  #maskPixels: ImageData | null = null;

  /** Composites `frame` (width x height) with `mask`, and returns the canvas holding the result. */
  draw(frame: CanvasImageSource, width: number, height: number, mask: PersonMask): OffscreenCanvas {
    const out = this.#sized("out", width, height);
    const background = this.#sized("background", Math.ceil(width / SHRINK), Math.ceil(height / SHRINK));
    background.filter = "blur(2px)";
    background.drawImage(frame, 0, 0, background.canvas.width, background.canvas.height);
    out.imageSmoothingEnabled = true;
    out.drawImage(background.canvas, 0, 0, width, height);

    const person = this.#sized("person", width, height);
    person.globalCompositeOperation = "copy";
    person.drawImage(this.#maskCanvas(mask), 0, 0, width, height);
    person.globalCompositeOperation = "source-in";
    person.drawImage(frame, 0, 0, width, height);
    out.drawImage(person.canvas, 0, 0);
    return out.canvas;
  }

  /** The mask as an image whose alpha is the person. */
  #maskCanvas({ values, width, height }: PersonMask): OffscreenCanvas {
    const ctx = this.#sized("mask", width, height);
    if (this.#maskPixels?.width !== width || this.#maskPixels.height !== height)
      this.#maskPixels = ctx.createImageData(width, height);
    const pixels = this.#maskPixels.data;
    const span = PERSON_ABOVE - BACKGROUND_BELOW;
    for (let i = 0; i < values.length; i++) {
      const alpha = ((values[i] ?? 0) - BACKGROUND_BELOW) / span;
      pixels[i * 4 + 3] = alpha <= 0 ? 0 : alpha >= 1 ? 255 : alpha * 255;
    }
    ctx.putImageData(this.#maskPixels, 0, 0);
    return ctx.canvas;
  }

  /** One canvas per layer, made again only when the camera's size changes. */
  #sized(layer: Layer, width: number, height: number): Context {
    let ctx = this.#layers.get(layer);
    if (!ctx || ctx.canvas.width !== width || ctx.canvas.height !== height) {
      ctx = context(width, height);
      this.#layers.set(layer, ctx);
    }
    return ctx;
  }
}
