/**
 * The call's etiquette: raised hands and reactions. A raised hand is room state (it lives on
 * the member, so the welcome tells late joiners and it goes when its socket leaves); a
 * reaction is relayed once and never kept. Both reach everyone, so both are rate-limited.
 */
import type { ClientMessage } from "../../common/protocol";
import type { Changes } from "./changes";
import { ASK_RECORDS, type Ask, type Member } from "./facts";
import { REACTION_BUDGET } from "./limits";
import { freshBudget, spend } from "./message-budget";
import { error, MEMBERS_ONLY, UNKNOWN_PEER } from "./replies";

/**
 * Raises the sender's hand at the end of the queue. The order number is the room's clock, made
 * strictly greater than every hand already up, so two hands in the same millisecond still
 * have an order, and every browser sorts them the same way. Hands are rare: they read the
 * records, so that the hand is kept with the identity and survives a dropped socket's resume.
 */
export function raiseHand(changes: Changes, ref: number): Ask | undefined {
  const { member } = changes.room.attachment(ref);
  if (!member) return changes.send(ref, MEMBERS_ONLY);
  if (member.hand !== undefined) {
    return changes.send(ref, error("hand-already-raised", "Your hand is already raised; it keeps its place."));
  }
  if (!changes.facts.records) return ASK_RECORDS;
  const last = Math.max(0, ...changes.room.everyone().map((m) => m.hand ?? 0));
  setHand(changes, { ...member, hand: Math.max(changes.now, last + 1) });
}

/**
 * Lowers a hand: one's own, or anyone's. natter has no host, and a hand left up after its
 * owner has spoken blocks the queue, so any member may lower any hand (as anyone may remove).
 */
export function lowerHand(
  changes: Changes,
  ref: number,
  message: Extract<ClientMessage, { type: "lower-hand" }>,
): Ask | undefined {
  const { member } = changes.room.attachment(ref);
  if (!member) return changes.send(ref, MEMBERS_ONLY);
  if (!changes.facts.records) return ASK_RECORDS;
  const id = message.id ?? member.id;
  // Connected or briefly away: a hand can be lowered either way.
  const owner = changes.room.everyone().find((m) => m.id === id);
  if (!owner) return changes.send(ref, UNKNOWN_PEER);
  if (owner.hand === undefined) {
    // Usually a race: someone else lowered it a moment ago.
    return changes.send(ref, error("hand-not-raised", "That hand is not raised; nothing changed."));
  }
  const { hand: _, ...lowered } = owner;
  setHand(changes, lowered);
}

/**
 * The member's new hand: on their socket (if connected) and with their identity (so a resume
 * keeps it, and a late joiner's welcome shows it while they are away), told to everyone.
 */
function setHand(changes: Changes, member: Member): void {
  const ref = changes.room.socketOf(member.id);
  if (ref !== undefined) changes.update(ref, { member });
  const record = changes.room.identity(member.id);
  if (record) {
    // Only the hand changes here: the record keeps the member as it was admitted.
    const { hand: _, ...kept } = record.member;
    changes.putIdentity({ ...record, member: member.hand === undefined ? kept : { ...kept, hand: member.hand } });
  }
  changes.broadcast(null, { type: "peer-state", peer: member });
}

/**
 * A reaction goes to everyone, the sender included, and is forgotten. Each socket has its own
 * small bucket (limits.ts): beyond it, reactions are dropped with an error to the sender
 * alone, so a flood never reaches the others and never slows anything else down.
 */
export function react(changes: Changes, ref: number, message: Extract<ClientMessage, { type: "react" }>): undefined {
  const { member } = changes.room.attachment(ref);
  if (!member) return changes.send(ref, MEMBERS_ONLY);
  const { now } = changes;
  const before = changes.facts.sockets[ref]?.reactionBudget ?? freshBudget(REACTION_BUDGET, now);
  const { state, verdict } = spend(before, REACTION_BUDGET, now);
  changes.keepBudget(ref, "reactions", state);
  if (verdict !== "ok") {
    return changes.send(ref, error("too-many-reactions", "Too many reactions at once; this one was not sent."));
  }
  changes.broadcast(null, { type: "reaction", from: member.id, emoji: message.emoji });
}
