/**
 * `join`: who gets in, as whom. A resume token brings back a live identity; an open room lets
 * anyone in while there is room; a locked room needs the key (lock.ts checks it) and tells
 * everyone else only that it is locked.
 */
import type { ClientMessage } from "../../common/protocol";
import { admit } from "./admission";
import { isFull } from "./call-mode";
import type { Changes } from "./changes";
import { ASK_RECORDS, type Ask, ask, type Member } from "./facts";
import { tryKey } from "./lock";
import { error, FULL } from "./replies";

type Join = Extract<ClientMessage, { type: "join" }>;

export function join(changes: Changes, ref: number, message: Join): Ask | undefined {
  const { room, facts } = changes;
  if (room.attachment(ref).member) {
    changes.send(ref, error("already-joined", "This socket has already joined."));
    return;
  }
  if (!facts.records) return ASK_RECORDS;
  if (message.resume) {
    const { id, token } = message.resume;
    const tokenValid = facts.answers.resumeTokenValid;
    if (tokenValid === undefined) return ask({ kind: "resume-token", id, token });
    // Honoured only for a live identity with a valid token; anything else is an ordinary
    // join, lock and all (a locked room says only "locked"). The peer keeps its id, so the
    // others see no leave and join; `peer-joined` is still sent, because after a room
    // restart some peers may have forgotten it, and clients treat a known id as "still
    // here". The room still counts a live identity, so it needs no free place.
    if (tokenValid && room.isLive(id, changes.now)) {
      const others = room.everyoneBut(ref).filter((m) => m.id !== id);
      // A raised hand survives a dropped socket: it is kept with the identity (etiquette.ts).
      const hand = room.identity(id)?.member.hand;
      return admit(changes, ref, { id, name: message.name, ...(hand !== undefined && { hand }) }, others);
    }
  }
  const { lock } = changes.records;
  if (!lock) return admitIfRoom(changes, ref, message.name);
  // Outsiders learn that the room is locked and nothing else.
  if (message.key === undefined) {
    changes.send(ref, { type: "denied", reason: "locked" });
    return;
  }
  const key = tryKey(changes, ref, message.key, lock);
  if (key === "opens") return admitIfRoom(changes, ref, message.name);
  if (key !== "refused") return key;
}

/**
 * Admits socket `ref` as a new member (a knocker keeps its knock id), unless the call is full
 * (call-mode.ts: MAX_PEERS, or where the SFU can take over, SFU_MAX_PEERS).
 */
function admitIfRoom(changes: Changes, ref: number, name: string): Ask | undefined {
  const others = changes.room.everyoneBut(ref);
  if (isFull(changes.facts.settings, others.length)) {
    changes.send(ref, FULL);
    return;
  }
  const member: Member = { id: changes.room.attachment(ref).knock?.id ?? changes.facts.freshId, name };
  return admit(changes, ref, member, others);
}
