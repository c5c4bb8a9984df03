/**
 * The camera's frames for browsers without insertable streams (canvas-engine.ts, lazy): the track
 * plays, muted, in a <video> that is never put on the page, and `onFrame` is called with it each
 * time it shows a new frame. requestVideoFrameCallback says exactly when that is. A clock at the
 * camera's top rate (frame-clock.ts) stands in where it is missing, and whenever no frame callback
 * came for a while: a hidden tab renders nothing and so fires none, and without the clock the
 * others would see the picture freeze.
 */
import { startClock } from "./frame-clock";

/** The camera runs at 30 fps at most (constraints.ts): the clock never asks more often. */
const FRAME_INTERVAL_MS = 1000 / 30;
/** While frame callbacks arrive, the clock only steps in after this long without one. */
const CALLBACK_GRACE_MS = 250;

/** Calls `onFrame` with the playing video at each new frame of `track`, until the returned stop is called. */
export function onVideoFrames(track: MediaStreamTrack, onFrame: (video: HTMLVideoElement) => void): () => void {
  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  const callbacks = typeof video.requestVideoFrameCallback === "function";
  let stopped = false;
  let callback = 0;
  let lastCallback = Number.NEGATIVE_INFINITY;

  const draw = () => {
    if (!stopped && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) onFrame(video);
  };
  const onCallback = () => {
    if (stopped) return;
    lastCallback = performance.now();
    draw();
    callback = video.requestVideoFrameCallback(onCallback);
  };
  if (callbacks) callback = video.requestVideoFrameCallback(onCallback);
  const stopClock = startClock(FRAME_INTERVAL_MS, () => {
    if (performance.now() - lastCallback > CALLBACK_GRACE_MS) draw();
  });

  void video.play().catch(() => {});
  return () => {
    stopped = true;
    stopClock();
    if (callbacks) video.cancelVideoFrameCallback(callback);
    video.pause();
    video.srcObject = null;
  };
}
