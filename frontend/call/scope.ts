/**
 * What one part of the call keeps running — signal effects, timers, subscriptions — gathered so
 * that a single dispose() stops all of it, instead of a teardown list that must name every timer.
 *
 * signals-core's createModel captures effects the same way, but its dispose lives under
 * Symbol.dispose, which this TypeScript target does not declare and some supported browsers
 * (Safari 17) lack; a part's timers are not effects either. So each part owns one Scope.
 */
import { effect } from "@preact/signals-core";

export class Scope {
  readonly #cleanups = new Set<() => void>();
  #disposed = false;

  /** Runs `cleanup` on dispose; returns a function that runs it now instead (once). */
  add(cleanup: () => void): () => void {
    if (this.#disposed) {
      cleanup();
      return () => {};
    }
    const once = () => {
      if (this.#cleanups.delete(once)) cleanup();
    };
    this.#cleanups.add(once);
    return once;
  }

  /** An effect (signals-core) that stops with the scope; returns a function that stops it early. */
  effect(fn: Parameters<typeof effect>[0]): () => void {
    return this.add(effect(fn));
  }

  /** A timeout that is cleared with the scope; returns a function that cancels it. */
  later(ms: number, fn: () => void): () => void {
    const cancel = this.add(() => clearTimeout(timer));
    const timer = setTimeout(() => {
      cancel();
      fn();
    }, ms);
    return cancel;
  }

  /** Whether dispose() has run (an async step that finishes late should then do nothing). */
  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    this.#disposed = true;
    // Newest first; each one takes itself off the list as it runs.
    for (const cleanup of [...this.#cleanups].reverse()) cleanup();
  }
}
