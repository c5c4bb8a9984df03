/**
 * A steady tick for the canvas fallback's frame loop (video-frames.ts) that keeps going in a hidden
 * tab. There, frame callbacks stop (nothing is rendered) and the page's own timers are slowed to
 * about once a second, which would freeze the picture the others see; messages from a worker, whose
 * own timers run at full rate, still arrive. Where a worker cannot start, a plain timer stands in.
 */
export function startClock(intervalMs: number, onTick: () => void): () => void {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./frame-clock.worker.ts", import.meta.url), { type: "module" });
  } catch {
    const timer = setInterval(onTick, intervalMs);
    return () => clearInterval(timer);
  }
  worker.addEventListener("message", onTick);
  worker.postMessage(intervalMs);
  return () => worker.terminate();
}
