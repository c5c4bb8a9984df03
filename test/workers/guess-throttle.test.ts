import { describe, expect, it } from "vitest";
import {
  checkGuess,
  FREE_TRIES,
  type GuessThrottleState,
  INITIAL_GUESS_STATE,
  MAX_WAIT_MS,
  recordFailure,
  triesLeftBeforeThrottle,
  waitAfterFailures,
} from "../../durable-objects/room-rules/guess-throttle";

const T0 = 1_700_000_000_000;

/** Fails `count` times, each try made at the earliest moment the throttle allows. */
function failRepeatedly(count: number, start = T0): { state: GuessThrottleState; now: number } {
  let state: GuessThrottleState = { ...INITIAL_GUESS_STATE };
  let now = start;
  for (let i = 0; i < count; i++) {
    now = Math.max(now, state.nextAllowedAt);
    expect(checkGuess(state, now)).toEqual({ allowed: true });
    state = recordFailure(state, now);
  }
  return { state, now };
}

describe("guess throttle", () => {
  it("gives five free tries", () => {
    expect(FREE_TRIES).toBe(5);
    let state: GuessThrottleState = { ...INITIAL_GUESS_STATE };
    for (let failure = 1; failure <= 4; failure++) {
      state = recordFailure(state, T0);
      expect(state.failures).toBe(failure);
      expect(checkGuess(state, T0)).toEqual({ allowed: true });
      expect(triesLeftBeforeThrottle(state)).toBe(FREE_TRIES - failure);
    }
    state = recordFailure(state, T0);
    expect(triesLeftBeforeThrottle(state)).toBe(0);
    expect(checkGuess(state, T0)).toEqual({ allowed: false, retryAfterMs: 1_000 });
  });

  it("waits 1 s after the 5th failure, then doubles up to 15 minutes", () => {
    const expectedWaits = [
      [5, 1_000],
      [6, 2_000],
      [7, 4_000],
      [8, 8_000],
      [9, 16_000],
      [10, 32_000],
      [11, 64_000],
      [12, 128_000],
      [13, 256_000],
      [14, 512_000],
      [15, 900_000],
      [16, 900_000],
      [100, 900_000],
      [10_000, 900_000],
    ] as const;
    for (const [failures, wait] of expectedWaits) {
      expect(waitAfterFailures(failures)).toBe(wait);
      const { state, now } = failRepeatedly(failures);
      expect(state.nextAllowedAt - now).toBe(wait);
    }
    expect(MAX_WAIT_MS).toBe(15 * 60 * 1_000);
    for (let failures = 0; failures < FREE_TRIES; failures++) expect(waitAfterFailures(failures)).toBe(0);
  });

  it("refuses during the wait with the time left, and allows once it is over", () => {
    const { state, now } = failRepeatedly(7); // failure 7 → 4 s
    expect(checkGuess(state, now)).toEqual({ allowed: false, retryAfterMs: 4_000 });
    expect(checkGuess(state, now + 1)).toEqual({ allowed: false, retryAfterMs: 3_999 });
    expect(checkGuess(state, now + 3_999)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(checkGuess(state, now + 4_000)).toEqual({ allowed: true });
    expect(checkGuess(state, now + 60_000)).toEqual({ allowed: true });
  });

  it("does not lengthen the wait for tries that were refused", () => {
    const { state, now } = failRepeatedly(6);
    // checkGuess is pure: asking repeatedly during the wait leaves the state as it was.
    for (let i = 0; i < 10; i++) checkGuess(state, now + i);
    expect(checkGuess(state, now + 2_000)).toEqual({ allowed: true });
  });

  it("measures each wait from the failure that caused it", () => {
    const { state } = failRepeatedly(5);
    const late = state.nextAllowedAt + 3_600_000; // the guesser came back an hour later
    const next = recordFailure(state, late);
    expect(next).toEqual({ failures: 6, nextAllowedAt: late + 2_000 });
  });

  it("never mutates the state it is given", () => {
    const state: GuessThrottleState = Object.freeze({ failures: 5, nextAllowedAt: T0 });
    expect(() => recordFailure(state, T0)).not.toThrow();
    expect(state).toEqual({ failures: 5, nextAllowedAt: T0 });
    expect(INITIAL_GUESS_STATE).toEqual({ failures: 0, nextAllowedAt: 0 });
  });
});
