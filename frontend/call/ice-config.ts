/**
 * When to ask the room for fresh TURN credentials (`refresh-ice`) before the current ones expire.
 *
 * An expired credential does not end a running relayed call at once, but the TURN server refuses
 * to refresh the allocation and the next ICE restart (after a network change, exactly when the
 * relay is needed) cannot get one. So the new credentials must be in every RTCPeerConnection
 * (setConfiguration) well before `expiresAt`.
 */

/** Ask no later than this before expiry: time for a reconnect or two if the socket is down just then. */
export const REFRESH_MARGIN_MS = 60_000;
/** Otherwise at this fraction of the time left, so a short TTL still leaves most of its life unused. */
export const REFRESH_AT_FRACTION = 0.8;
/** Never sooner than this, so a clock that disagrees with the room's cannot make us ask in a tight loop. */
export const MIN_REFRESH_DELAY_MS = 5_000;
/** setTimeout fires at once for delays past 2^31 − 1 ms (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds from `now` until `refresh-ice`, or null when the credentials never expire (STUN only). */
export function iceRefreshDelay(expiresAt: number | null, now: number): number | null {
  if (expiresAt === null) return null;
  const left = expiresAt - now;
  const delay = Math.min(left * REFRESH_AT_FRACTION, left - REFRESH_MARGIN_MS);
  return Math.min(MAX_TIMER_MS, Math.max(MIN_REFRESH_DELAY_MS, Math.floor(delay)));
}
