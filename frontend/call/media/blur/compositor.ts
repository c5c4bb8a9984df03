/**
 * Draws one blurred frame: the camera frame, heavily blurred, with the person from the same frame
 * laid sharp on top through the segmenter's mask. Canvas 2D only, no shaders: the blur is a cheap
 * one (shrink to a fifth, soften, stretch back), and the mask is stretched with smoothing, which
 * gives the person a soft edge instead of a staircase.
 */

/** How much smaller the background is drawn before it is stretched back: the strength of the blur. */
const SHRINK = 5;

type Context = OffscreenCanvasRenderingContext2D;
type Layer = "out" | "person" | "background";

function context(width: number, height: number): Context {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2D canvas");
  return ctx;
}

export class Compositor {
  readonly #layers = new Map<Layer, Context>();

  /** Composites `frame` (width x height) with `mask` (alpha = person), and returns the canvas holding the result. */
  draw(frame: CanvasImageSource, width: number, height: number, mask: CanvasImageSource): OffscreenCanvas {
    const out = this.#sized("out", width, height);
    const background = this.#sized("background", Math.ceil(width / SHRINK), Math.ceil(height / SHRINK));
    background.filter = "blur(2px)";
    background.drawImage(frame, 0, 0, background.canvas.width, background.canvas.height);
    out.imageSmoothingEnabled = true;
    out.drawImage(background.canvas, 0, 0, width, height);

    const person = this.#sized("person", width, height);
    person.globalCompositeOperation = "copy";
    person.drawImage(mask, 0, 0, width, height);
    person.globalCompositeOperation = "source-in";
    person.drawImage(frame, 0, 0, width, height);
    out.drawImage(person.canvas, 0, 0);
    return out.canvas;
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
