/**
 * Answers more than one rule gives, worded once: the errors a socket hears, and the news that
 * a knock ended (every member's prompt for it must go away, however it ended).
 */
import type { ErrorCode, KnockOutcome, ServerMessage } from "../../common/protocol";
import type { Changes } from "./changes";

export function error(code: ErrorCode, message: string): ServerMessage {
  return { type: "error", code, message };
}

export const MEMBERS_ONLY = error("not-joined", "Only people in the call can do that; send `join` first.");
export const UNKNOWN_PEER = error("unknown-peer", "No such peer in this room.");
export const FULL: ServerMessage = { type: "denied", reason: "full" };

export function endKnock(changes: Changes, id: string, outcome: KnockOutcome): void {
  changes.broadcast(null, { type: "knock-ended", id, outcome });
}
