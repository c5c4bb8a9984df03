/**
 * The room's rules in one call: `decide(facts, event)` turns what the room knows and what just
 * happened into the effects the shell carries out. It is pure, so every rule is unit-tested
 * with hand-written facts, and nothing it decides can depend on what hibernation would wipe.
 *
 * Some facts take I/O to find out (the room's records, a resume token's HMAC, a key's PBKDF2
 * hash, TURN credentials). What an event needs that can be read off the event itself, the shell
 * gathers before deciding (`factsNeeded`): the records for everything but the hot path, and a
 * resume token's check for a join that claims one. So nearly every event is decided in one
 * call. The rest is worth finding out only when the rules say so, and only they know it: a
 * key is hashed only after the throttle let the try through, a new lock only for a member
 * outside the cooldown with hashes left, credentials are minted only for someone who gets in.
 * For those the decision comes back as a question instead of effects (nothing is applied), the
 * shell answers it, and decides again: the honest minimum, twice for those events only (three
 * times for the right key: its hash, then the newcomer's credentials).
 */
import type { ClientMessage } from "../../common/protocol";
import { alarm } from "./alarm";
import { Changes, type Effect } from "./changes";
import { closeAtDoor, depart } from "./departure";
import { makeRoomAtDoor } from "./door";
import { lowerHand, raiseHand, react } from "./etiquette";
import { ASK_RECORDS, type Ask, type Facts, type RoomEvent, StorageKey } from "./facts";
import { gate } from "./gate";
import { changeState, kick, refreshIce, signal } from "./in-call";
import { join } from "./join";
import { answerKnock, knock } from "./knock";
import { lock, unlock } from "./lock";
import { sfuMessage } from "./sfu";
import { sfuResult } from "./sfu-results";

/** A decision: the effects to apply, in order, or the one thing the rules must know first. */
export type Decision = { effects: Effect[] } | Ask;

/** The one decision about `event`. A question comes with no effects: the shell answers it and decides again. */
export function decide(facts: Facts, event: RoomEvent): Decision {
  const changes = new Changes(facts);
  return run(changes, event) ?? { effects: changes.finish() };
}

/** What the shell gathers before deciding `event`, read off the event alone (see the header). */
export interface NeededFacts {
  records: boolean;
  /** A join's resume claim: its token is checked up front. */
  resume: { id: string; token: string } | null;
  /**
   * The event may need crypto or TURN credentials, which let other events in while they are
   * awaited: the shell handles it with the room's other events held, from the start.
   */
  exclusive: boolean;
}

/** Messages the rules decide on the sockets alone, almost always: the hot path never reads storage. */
const WITHOUT_RECORDS: ReadonlySet<ClientMessage["type"]> = new Set(["signal", "state", "react"]);
/** Messages that may need a resume token's HMAC, a key's hash or credentials for someone let in. */
const MAY_NEED_CRYPTO: ReadonlySet<ClientMessage["type"]> = new Set(["join", "lock", "admit", "refresh-ice"]);

export function factsNeeded(event: RoomEvent): NeededFacts {
  const none = { records: false, resume: null, exclusive: false };
  if (event.kind !== "frame") return { ...none, records: true };
  const { frame } = event;
  // An oversize frame closes its socket (a departure); a binary or unreadable one gets an error.
  if (frame.kind !== "text") return { ...none, records: frame.kind === "oversize" };
  if (!frame.parsed.ok) return none;
  const { message } = frame.parsed;
  return {
    records: !WITHOUT_RECORDS.has(message.type),
    resume: message.type === "join" ? (message.resume ?? null) : null,
    exclusive: MAY_NEED_CRYPTO.has(message.type),
  };
}

function run(changes: Changes, event: RoomEvent): Ask | undefined {
  // A secret drawn to answer a question about resume tokens is the room's from now on.
  const { newSecret } = changes.facts.answers;
  if (newSecret) changes.store(StorageKey.secret, newSecret);
  switch (event.kind) {
    case "open":
      return open(changes, event.client);
    case "frame": {
      const message = gate(changes, event.socket, event.frame);
      if (message === null || "ask" in message) return message ?? undefined;
      return onMessage(changes, event.socket, message);
    }
    case "departure":
      if (changes.room.attachment(event.socket).departed) return;
      if (!changes.facts.records) return ASK_RECORDS;
      depart(changes, event.socket, event.code);
      return;
    case "alarm":
      return alarm(changes);
    case "sfu-result":
      return sfuResult(changes, event.call, event.outcome);
  }
}

function onMessage(changes: Changes, ref: number, message: ClientMessage): Ask | undefined {
  switch (message.type) {
    case "join":
      return join(changes, ref, message);
    case "signal":
      return signal(changes, ref, message);
    case "state":
      changeState(changes, ref, message);
      return;
    case "refresh-ice":
      return refreshIce(changes, ref);
    case "lock":
      return lock(changes, ref, message.key);
    case "unlock":
      return unlock(changes, ref);
    case "knock":
      return knock(changes, ref, message.name);
    case "admit":
    case "deny":
      return answerKnock(changes, ref, message.id, message.type === "admit");
    case "kick":
      return kick(changes, ref, message.id);
    case "raise-hand":
      return raiseHand(changes, ref);
    case "lower-hand":
      return lowerHand(changes, ref, message);
    case "react":
      react(changes, ref, message);
      return;
    case "sfu-publish":
    case "sfu-pull":
    case "sfu-renegotiate":
    case "sfu-close":
    case "sfu-layer":
      return sfuMessage(changes, ref, message);
  }
}

/**
 * A new socket. Sockets at the door are bounded per client and per room, and a newcomer gets
 * in by closing the oldest of them rather than being refused: the newcomer may be a member
 * resuming or someone with the key, and idle sockets must never shut those out. Members and
 * knockers are bounded by their own rules (maxPeers, MAX_PENDING_KNOCKS).
 */
function open(changes: Changes, client: string): Ask | undefined {
  if (!changes.facts.records) return ASK_RECORDS;
  for (const { ref } of makeRoomAtDoor(changes.room.doors(), client)) {
    closeAtDoor(changes, ref, "Closed to make room for a newer connection; reconnect to join.");
  }
  changes.accept({ member: null, client, doorSince: changes.now });
  changes.reschedule();
}
