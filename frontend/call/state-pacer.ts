/**
 * Paces our media state (peer-state) under the room's own budget for it, so that the last state
 * always gets through. The room refuses `state` past a small bucket (burst 10, 2 a second; its
 * rules are durable-objects/room-rules/limits.ts) and a refused one is simply lost: with push to
 * talk, tapping Space quickly could otherwise leave the others seeing us live while we are muted.
 * So: a slightly smaller bucket here, and when it is empty the latest state waits for a token
 * (older unsent ones are dropped, only the latest matters).
 */

/** A little under the room's: its clock and ours do not tick together. */
export const STATE_BURST = 8;
export const STATE_PER_SECOND = 1.5;

export class StatePacer<T> {
  readonly #send: (message: T) => void;
  readonly #now: () => number;
  #tokens = STATE_BURST;
  #at: number;
  #waiting: { message: T; timer: ReturnType<typeof setTimeout> } | null = null;

  constructor(send: (message: T) => void, now: () => number) {
    this.#send = send;
    this.#now = now;
    this.#at = now();
  }

  /** Sends `message` now if the budget allows, or as soon as it does (replacing any still waiting). */
  send(message: T): void {
    if (this.#waiting) {
      this.#waiting.message = message;
      return;
    }
    const wait = this.#msUntilToken();
    if (wait === 0) {
      this.#spend(message);
      return;
    }
    const waiting = { message, timer: setTimeout(() => this.#flush(), wait) };
    this.#waiting = waiting;
  }

  /** Forgets anything waiting (the call ended, or the room forgot us and will hear it all again). */
  reset(): void {
    if (this.#waiting) clearTimeout(this.#waiting.timer);
    this.#waiting = null;
  }

  #flush(): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    if (!waiting) return;
    if (this.#msUntilToken() === 0) this.#spend(waiting.message);
    else this.send(waiting.message);
  }

  #spend(message: T): void {
    this.#tokens -= 1;
    this.#send(message);
  }

  #msUntilToken(): number {
    const now = this.#now();
    this.#tokens = Math.min(STATE_BURST, this.#tokens + (Math.max(0, now - this.#at) / 1000) * STATE_PER_SECOND);
    this.#at = now;
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / STATE_PER_SECOND) * 1000);
  }
}
