/**
 * The camera's frames for browsers without insertable streams (canvas-engine.ts, lazy): the track
 * plays, muted, in a <video> that is never put on the page, and `onFrame` is called with it each
 * time it shows a new frame. requestVideoFrameCallback says exactly when that is; a timer at the
 * camera's top rate stands in where it is missing, and also runs beside it, because a page whose
 * rendering stops (a hidden tab) fires no frame callbacks: a timer keeps some frames going there
 * (browsers slow such timers down, but the others see a slow picture rather than a frozen one).
 */

/** The camera runs at 30 fps at most (constraints.ts); the timer never asks more often. */
const FRAME_INTERVAL_MS = 1000 / 30;
/** While frame callbacks arrive, the timer only steps in after this long without one. */
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
  let timer: ReturnType<typeof setTimeout> | undefined;

  const tick = (fromCallback: boolean) => {
    if (stopped) return;
    if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) onFrame(video);
    schedule(fromCallback);
  };
  const schedule = (callbacksWork: boolean) => {
    if (stopped) return;
    clearTimeout(timer);
    if (callbacks) {
      video.cancelVideoFrameCallback(callback);
      callback = video.requestVideoFrameCallback(() => tick(true));
    }
    // With working frame callbacks the timer is only a safety net; without, it is the clock.
    timer = setTimeout(() => tick(false), callbacks && callbacksWork ? CALLBACK_GRACE_MS : FRAME_INTERVAL_MS);
  };

  void video.play().catch(() => {});
  schedule(true);
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (callbacks) video.cancelVideoFrameCallback(callback);
    video.pause();
    video.srcObject = null;
  };
}
