/**
 * "You can make up to 50 API calls per second for each session" (limits page, "Limits"): a sliding
 * one-second window per session. Pure apart from the clock it is given, so it can be tested exactly.
 */
export const REQUESTS_PER_SECOND = 50;
const WINDOW_MS = 1_000;

export class SessionRateLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly limit = REQUESTS_PER_SECOND,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** Counts one request for `sessionId`; false when it is over the limit (and then it is not counted). */
  take(sessionId: string): boolean {
    const at = this.now();
    const times = (this.recent.get(sessionId) ?? []).filter((t) => at - t < WINDOW_MS);
    if (times.length >= this.limit) {
      this.recent.set(sessionId, times);
      return false;
    }
    times.push(at);
    this.recent.set(sessionId, times);
    return true;
  }

  forget(sessionId: string): void {
    this.recent.delete(sessionId);
  }
}
