/**
 * Readies the browser's number formatting and plural rules before the call needs them. The first
 * `toLocaleString` or `Intl.PluralRules` of a page loads ICU data, 10–50 ms on the main thread, and
 * the first place a call uses them is the header's "2 people in the call": rendered on both pages
 * in the very task in which the first connection's offer is made (by whoever was there) and
 * received (by the newcomer), so those milliseconds were added to every join. A worker pays them
 * instead, while the app loads; early.ts starts it on a room link. Where no worker can start,
 * nothing changes: the first use pays, as before.
 */
export function warmIntl(locale: string): void {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./intl-warm.worker.ts", import.meta.url), { type: "module" });
  } catch {
    return;
  }
  const done = () => worker.terminate();
  worker.addEventListener("message", done);
  worker.addEventListener("error", done);
  worker.postMessage(locale);
}
