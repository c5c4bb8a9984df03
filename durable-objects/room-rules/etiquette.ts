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
 * have an order, and every browser sorts them the same way.
 */
export function raiseHand(changes: Changes, ref: number): undefined {
  const { member } = changes.room.attachment(ref);
  if (!member) return changes.send(ref, MEMBERS_ONLY);
  if (member.hand !== undefined) {
    return changes.send(ref, error("hand-already-raised", "Your hand is already raised; it keeps its place."));
  }
  const last = Math.max(0, ...changes.room.connectedMembers().map(({ member: m }) => m.hand ?? 0));
  setHand(changes, ref, { ...member, hand: Math.max(changes.now, last + 1) });
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
  const id = message.id ?? member.id;
  const target = changes.room.socketOf(id);
  const owner = target === undefined ? undefined : changes.room.attachment(target).member;
  if (target !== undefined && owner?.hand !== undefined) {
    const { hand: _, ...lowered } = owner;
    setHand(changes, target, lowered);
    return;
  }
  // Not a raised hand: say whether the peer is unknown or just has no hand up (a race, usually).
  if (target === undefined) {
    if (!changes.facts.records) return ASK_RECORDS;
    if (!changes.room.everyone().some((m) => m.id === id)) return changes.send(ref, UNKNOWN_PEER);
  }
  changes.send(ref, error("hand-not-raised", "That hand is not raised; nothing changed."));
}

/** The member's new hand, told to everyone (the owner too) as their state. */
function setHand(changes: Changes, ref: number, member: Member): void {
  changes.update(ref, { member });
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
