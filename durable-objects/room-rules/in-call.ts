/**
 * What members do once they are in the call: relay signaling to one another, tell everyone
 * about their name and media, refresh their ICE credentials, and remove someone.
 */
import { CloseCode } from "../../common/close-codes";
import type { ClientMessage } from "../../common/protocol";
import type { Changes } from "./changes";
import { leftForGood, remove } from "./departure";
import { ASK_RECORDS, type Ask, ask, type Member } from "./facts";
import { MEMBERS_ONLY, UNKNOWN_PEER } from "./replies";

/**
 * A signal goes to exactly one other member, with `from` set by the room, never taken from the
 * client. It is nearly every message a room handles, so a signal to a connected peer needs
 * nothing but the sockets; only one to a peer that is not connected reads the records (a peer
 * briefly away gets nothing, and a stranger is an error).
 */
export function signal(
  changes: Changes,
  ref: number,
  message: Extract<ClientMessage, { type: "signal" }>,
): Ask | undefined {
  const { member } = changes.room.attachment(ref);
  const target = changes.room.socketOf(message.to);
  if (member && message.to !== member.id && target !== undefined) {
    changes.send(target, { type: "signal", from: member.id, data: message.data });
    return;
  }
  if (!changes.facts.records) return ASK_RECORDS;
  if (!member) return changes.send(ref, MEMBERS_ONLY);
  if (!isSomeoneElse(changes, ref, message.to)) return changes.send(ref, UNKNOWN_PEER);
  // A member briefly away has no socket to take it: dropped, as the network would have.
}

/** A change of name or media, told to everyone (the sender too: it is the room's word on it). */
export function changeState(changes: Changes, ref: number, message: Extract<ClientMessage, { type: "state" }>): void {
  const { member } = changes.room.attachment(ref);
  if (!member) {
    changes.send(ref, MEMBERS_ONLY);
    return;
  }
  const { type: _, ...change } = message;
  const changed: Member = { ...member, ...change };
  changes.update(ref, { member: changed });
  changes.broadcast(null, { type: "peer-state", peer: changed });
}

/** Fresh ICE servers (TURN credentials expire), for members only: relaying costs money. */
export function refreshIce(changes: Changes, ref: number): Ask | undefined {
  if (!changes.room.attachment(ref).member) return changes.send(ref, MEMBERS_ONLY);
  const { ice } = changes.facts.answers;
  if (!ice) return ask({ kind: "credentials", id: null });
  changes.send(ref, { type: "ice", ice });
}

/**
 * A member removes another from the call. Everyone hears at once, whatever the removed peer's
 * socket is doing: connected, or away within its grace period (when nothing would ever
 * announce it otherwise). The identity ends, so its resume token never works again.
 */
export function kick(changes: Changes, ref: number, id: string): Ask | undefined {
  const { member } = changes.room.attachment(ref);
  if (!member) return changes.send(ref, MEMBERS_ONLY);
  if (!changes.facts.records) return ASK_RECORDS;
  if (!isSomeoneElse(changes, ref, id)) return changes.send(ref, UNKNOWN_PEER);
  const target = changes.room.socketOf(id);
  if (target !== undefined) changes.send(target, { type: "removed", by: member.name, byId: member.id });
  remove(changes, id, CloseCode.removed, "You were removed from the call.");
  leftForGood(changes, id);
}

/** Whether `id` is someone in the call (connected or away) other than the member on socket `ref`. */
function isSomeoneElse(changes: Changes, ref: number, id: string): boolean {
  return changes.room.everyoneBut(ref).some((m) => m.id === id);
}
