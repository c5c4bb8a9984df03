/**
 * Every WebSocket close code a room socket can end with, who sends it, and what it means for the
 * call. The Room sends most of them; the browser sends GAVE_UP when it abandons a socket that
 * stopped answering. Compiled in both worlds, like protocol.ts.
 */
export const CloseCode = {
  /** A deliberate leave: the others are told at once. */
  normal: 1000,
  /** The page went away (closed or navigated): also told at once. */
  goingAway: 1001,
  /** Broke the room's rules (flooding, a malformed frame): not worth retrying. */
  policyViolation: 1008,
  /** A frame over MAX_MESSAGE_BYTES: not worth retrying. */
  messageTooBig: 1009,
  /**
   * Sent by the browser: it gave up on a socket that stopped answering. Not a deliberate leave,
   * so the room keeps the peer's place for a resume.
   */
  gaveUp: 4000,
  /** The same peer reconnected on a newer socket, which replaces this one. */
  replaced: 4001,
  /** A member removed this peer from the call. */
  removed: 4003,
  /** No heartbeat for too long: the tab vanished without closing its socket. */
  timedOut: 4008,
  /** Not in the call and not knocking for too long (or making room for a newer socket): reopen to act. */
  idle: 4009,
} as const;

/**
 * What a closed room socket means for the call:
 * - "removed": someone removed us (4003); the call is over.
 * - "replaced": the same peer joined again on a newer socket (4001), i.e. another tab took over.
 * - "refused": the room closed us for breaking its rules (1008 flooding, 1009 too big); trying
 *   again would only be refused again.
 * - "reconnect": anything else is the network, a restarting Durable Object or a deploy; the
 *   room keeps our place for a while (the resume grace), so go back. That includes 4008 (the
 *   room timed us out: our token still works, only the others forgot us) and 4009 (closed at the door).
 */
export type CloseVerdict = "removed" | "replaced" | "refused" | "reconnect";

export function closeVerdict(code: number): CloseVerdict {
  switch (code) {
    case CloseCode.removed:
      return "removed";
    case CloseCode.replaced:
      return "replaced";
    case CloseCode.policyViolation:
    case CloseCode.messageTooBig:
      return "refused";
    default:
      return "reconnect";
  }
}
