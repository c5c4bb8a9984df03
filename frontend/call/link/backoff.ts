/**
 * When to try reconnecting to the room again after the socket dropped.
 *
 * "Full jitter" (a random delay between zero and the exponential ceiling) rather than the
 * ceiling itself: after a deploy or a Durable Object restart every member of every room drops
 * at the same instant, and without the randomness they would all knock again in lockstep.
 */

export interface BackoffOptions {
  /** The ceiling of the first retry; doubles with every failed attempt. */
  baseMs: number;
  /** The ceiling never grows past this, so a long outage is noticed within seconds of ending. */
  capMs: number;
}

export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 8_000 };

/** The exponential ceiling for `attempt` (0 for the first retry). */
export function backoffCeiling(attempt: number, { baseMs, capMs }: BackoffOptions = RECONNECT_BACKOFF): number {
  // 2 ** attempt overflows to Infinity eventually, which Math.min absorbs; a negative attempt is the first one.
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
}

/** A delay in [0, ceiling): `random` is Math.random in the app and a fixed sequence in tests. */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  options: BackoffOptions = RECONNECT_BACKOFF,
): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeiling(attempt, options));
}
