/** Where a call stands, and the two questions every part asks of it. */

/**
 * "outside": the room is locked and has not let us in (yet); the socket stays open so we can
 * offer a key or knock. "removed": someone in the call removed us. "reconnecting": the room's
 * socket dropped after we were in; peers and media carry on while it comes back.
 */
export type CallStatus = "connecting" | "outside" | "joined" | "reconnecting" | "removed" | "left" | "error";

/** In the call with the others, even while the room's socket comes back. */
export function isInCall(status: CallStatus): boolean {
  return status === "joined" || status === "reconnecting";
}

/** The call ended, one way or another: nothing starts again. */
export function isOver(status: CallStatus): boolean {
  return status === "left" || status === "error" || status === "removed";
}
