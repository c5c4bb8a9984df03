/**
 * How people leave: a socket that goes away (deliberately, or as a network drop that keeps the
 * member's place for a resume), and a removal, which ends an identity for good.
 */
import { CloseCode } from "../../common/close-codes";
import type { Changes } from "./changes";
import { RESUME_GRACE_MS } from "./limits";
import { endKnock } from "./replies";

/** Closes after which the others are told at once; any other close may be a network drop. */
const DELIBERATE_CLOSES: ReadonlySet<number> = new Set([
  CloseCode.normal,
  // A close frame without a status code: still a deliberate close by the client.
  1005,
  CloseCode.goingAway,
  CloseCode.messageTooBig,
  CloseCode.policyViolation,
  CloseCode.removed,
  CloseCode.timedOut,
]);

/**
 * The room is done with socket `ref`, which closed with `code`. A deliberate close tells the
 * others at once and ends the identity (its token will not bring it back); a close that looks
 * like a network drop keeps the member's place for RESUME_GRACE_MS, unseen by the others, so
 * a reconnect with its resume token causes no leave/join churn. A knocker's knock is withdrawn.
 */
export function depart(changes: Changes, ref: number, code: number): void {
  const { member, knock, departed, seq = 0 } = changes.room.attachment(ref);
  if (departed) return;
  changes.update(ref, { departed: true, knock: null });
  if (member && !DELIBERATE_CLOSES.has(code)) {
    changes.putIdentity({ member, seq, until: changes.now + RESUME_GRACE_MS });
  } else if (member) {
    changes.dropIdentity(member.id);
    leftForGood(changes, member.id);
  } else if (knock) {
    endKnock(changes, knock.id, "withdrawn");
  }
  changes.reschedule();
}

/**
 * Ends identity `id` for good: off the allow-list (its resume token is worthless from now on)
 * and its socket, if it has one, closed. The caller announces it; the socket is marked
 * departed first, so its close is not a second departure.
 */
export function remove(changes: Changes, id: string, code: number, reason: string): void {
  changes.dropIdentity(id);
  for (const { member, ref } of changes.room.connectedMembers()) {
    if (member.id !== id) continue;
    changes.update(ref, { departed: true });
    changes.close(ref, code, reason);
  }
  changes.reschedule();
}

/** What the others hear when a member is gone for good, however it went. */
export function leftForGood(changes: Changes, id: string): void {
  changes.broadcast(id, { type: "peer-left", id });
}

/** Closes a socket at the door (not in the call, not knocking): nobody is told, nothing is kept. */
export function closeAtDoor(changes: Changes, ref: number, reason: string): void {
  changes.update(ref, { departed: true });
  changes.close(ref, CloseCode.idle, reason);
}
