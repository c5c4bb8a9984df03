/**
 * One AudioContext for the page: level meters and sounds share it (browsers cap how many a page
 * may open). Browsers start it suspended until the person has clicked or typed on the page, so
 * it resumes itself at the first such gesture.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";

let shared: AudioContext | null | undefined;
const running = signal(false);
/** False until the page's AudioContext runs: before that, every level reads as silence. */
export const audioRunning: ReadonlySignal<boolean> = running;

export function audioContext(): AudioContext | null {
  if (shared !== undefined) return shared;
  const Context = typeof AudioContext === "undefined" ? undefined : AudioContext;
  if (!Context) {
    shared = null;
    return shared;
  }
  const context = new Context();
  shared = context;
  running.value = context.state === "running";
  context.addEventListener("statechange", () => {
    running.value = context.state === "running";
  });
  if (context.state === "suspended") {
    const resume = () => {
      void context.resume().then(() => {
        if (context.state !== "running") return;
        removeEventListener("pointerdown", resume, true);
        removeEventListener("keydown", resume, true);
      });
    };
    addEventListener("pointerdown", resume, true);
    addEventListener("keydown", resume, true);
  }
  return context;
}
