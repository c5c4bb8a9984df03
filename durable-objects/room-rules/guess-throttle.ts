/**
 * The failed-guess throttle for a locked room's key, as pure functions of (state, now).
 *
 * The Room keeps one GuessThrottleState in Durable Object storage, so the count survives hibernation and
 * eviction: an attacker cannot reset it by waiting for the object to sleep. Time is passed in rather
 * than read, because the rules are easier to test that way and because the Room already has `now`.
 *
 * The schedule, exactly:
 *  - failures 1–4 cost nothing; the next try may come at once;
 *  - after failure 5 the next try must wait 1 s (measured from that failure), after failure 6 2 s,
 *    after failure 7 4 s, … doubling, so after failure n (n ≥ 5) the wait is 2^(n−5) s;
 *  - the wait never exceeds 15 minutes (reached after failure 15: 2^10 s would be 17 minutes);
 *  - a right key resets nothing: otherwise every honest join would hand a guesser five free tries
 *    again. The count ends with the lock (unlock, a new lock, or the empty room's purge).
 * A try made during a wait is refused before any hashing (checkGuess) and does not count as a
 * failure, so hammering the room neither burns CPU on PBKDF2 nor pushes the wait out further; only
 * real wrong guesses lengthen it. At the cap that is 4 guesses an hour, under a hundred a day.
 */

export type GuessThrottleState = {
  /** Wrong keys since the room was locked. */
  failures: number;
  /** Epoch milliseconds before which no try is accepted; 0 when there is no wait. */
  nextAllowedAt: number;
};

/** Wrong guesses allowed before any waiting: enough for typos, too few to matter for guessing. */
export const FREE_TRIES = 5;
/** The first wait, after failure number FREE_TRIES. */
export const BASE_WAIT_MS = 1_000;
/** Long enough to make sweeping hopeless, short enough that a forgetful friend can try again soon. */
export const MAX_WAIT_MS = 15 * 60 * 1_000;

export type GuessCheck = { allowed: true } | { allowed: false; retryAfterMs: number };

/** The state of a room nobody has guessed at. */
export const INITIAL_GUESS_STATE: Readonly<GuessThrottleState> = Object.freeze({ failures: 0, nextAllowedAt: 0 });

/** How long the next try must wait after the `failures`-th wrong key in a row. */
export function waitAfterFailures(failures: number): number {
  if (failures < FREE_TRIES) return 0;
  // Capping the exponent keeps 2 ** n finite however long the count grows.
  const doublings = Math.min(failures - FREE_TRIES, 30);
  return Math.min(BASE_WAIT_MS * 2 ** doublings, MAX_WAIT_MS);
}

/** Whether a key may be tried at `now`; if not, how long until it may. */
export function checkGuess(state: GuessThrottleState, now: number): GuessCheck {
  if (now < state.nextAllowedAt) return { allowed: false, retryAfterMs: state.nextAllowedAt - now };
  return { allowed: true };
}

/** The state after a wrong key tried at `now`. */
export function recordFailure(state: GuessThrottleState, now: number): GuessThrottleState {
  const failures = state.failures + 1;
  const wait = waitAfterFailures(failures);
  return { failures, nextAllowedAt: wait > 0 ? now + wait : 0 };
}

/** Wrong guesses left before tries start to wait (what "n tries left" on the page shows). */
export function triesLeftBeforeThrottle(state: GuessThrottleState): number {
  return Math.max(0, FREE_TRIES - state.failures);
}
