/**
 * Which way this browser can blur, and the track the call sends while blur is wanted. Chromium has
 * insertable streams (MediaStreamTrackProcessor/Generator): frames are read from the camera and
 * written to a generator track (engine.ts). Firefox and others lack them, so they get the fallback
 * (canvas-engine.ts): the camera plays in a hidden <video>, each frame is blurred onto a canvas,
 * and the canvas's captured track is sent. Either way the output track is made here, at once and
 * before the engine has loaded, and shows only what the engine writes to it: until the first
 * blurred frame it is blank, never the raw camera. Small and engine-free, because LocalMedia and
 * the switch need it on every page; the engines load on first use.
 */

/** "generator": Chromium's insertable streams. "canvas": a canvas's captured track. */
export type BlurPath = "generator" | "canvas";

/** Where the engine writes blurred frames: the generator's stream, or the canvas that is captured. */
export type BlurSink = WritableStream<VideoFrame> | HTMLCanvasElement;

export interface BlurOutput {
  /** What the call sends and the preview shows while blur is wanted. */
  readonly track: MediaStreamTrack;
  readonly sink: BlurSink;
}

/** The camera's frame rate is at most 30 (constraints.ts): the canvas is captured at up to that. */
const CAPTURE_FPS = 30;

/** The best way this browser offers, or null when it can blur no way at all (no switch then). */
export function blurPath(): BlurPath | null {
  if (
    typeof globalThis.MediaStreamTrackProcessor === "function" &&
    typeof globalThis.MediaStreamTrackGenerator === "function"
  ) {
    return "generator";
  }
  if (
    typeof HTMLCanvasElement === "function" &&
    typeof HTMLCanvasElement.prototype.captureStream === "function" &&
    typeof HTMLVideoElement === "function" &&
    typeof OffscreenCanvas === "function"
  ) {
    return "canvas";
  }
  return null;
}

/** A new, blank output track for `path`; the engine fills it. */
export function openBlurOutput(path: BlurPath): BlurOutput {
  if (path === "generator") {
    const Generator = globalThis.MediaStreamTrackGenerator as NonNullable<typeof MediaStreamTrackGenerator>;
    const generator = new Generator({ kind: "video" });
    return { track: generator, sink: generator.writable };
  }
  const canvas = document.createElement("canvas");
  const track = canvas.captureStream(CAPTURE_FPS).getVideoTracks()[0];
  if (!track) throw new Error("the canvas gave no track");
  return { track, sink: canvas };
}
