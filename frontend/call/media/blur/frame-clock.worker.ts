/**
 * The ticking half of frame-clock.ts, in a worker: it posts an empty message every interval (the
 * number it was sent; 0 stops it). A worker's timers are not slowed down when its page's tab is
 * hidden, as the page's own timers are.
 */
let timer: ReturnType<typeof setInterval> | undefined;

addEventListener("message", (event: MessageEvent<number>) => {
  clearInterval(timer);
  if (event.data > 0) timer = setInterval(() => postMessage(0), event.data);
});
