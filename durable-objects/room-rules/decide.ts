/**
 * The room's rules in one call: `decide(facts, event)` turns what the room knows and what just
 * happened into the effects the shell carries out. It is pure, so every rule is unit-tested
 * with hand-written facts, and nothing it decides can depend on what hibernation would wipe.
 *
 * Some facts take I/O to find out (the room's records, a resume token's HMAC, a key's PBKDF2
 * hash, TURN credentials) and are worth finding out only when the decision needs them: a key
 * is hashed only after the throttle let the try through, credentials are minted only for
 * someone who gets in, and a signal never reads storage at all. So before deciding, the shell
 * asks `nextQuestion(facts, event)` and answers it until there is none left. Both run the same
 * rules; a question stops them before anything is applied, so it asks, and never acts.
 */
import type { ClientMessage } from "../../common/protocol";
import { alarm } from "./alarm";
import { Changes, type Effect } from "./changes";
import { closeAtDoor, depart } from "./departure";
import { makeRoomAtDoor } from "./door";
import { lowerHand, raiseHand, react } from "./etiquette";
import { ASK_RECORDS, type Ask, type Facts, type Question, type RoomEvent, StorageKey } from "./facts";
import { gate } from "./gate";
import { changeState, kick, refreshIce, signal } from "./in-call";
import { join } from "./join";
import { answerKnock, knock } from "./knock";
import { lock, unlock } from "./lock";

/** What the rules still need to know before they can decide `event`, or null once they know enough. */
export function nextQuestion(facts: Facts, event: RoomEvent): Question | null {
  return run(new Changes(facts), event)?.ask ?? null;
}

/** The one decision about `event`: the effects to apply, in order. Only once `nextQuestion` is null. */
export function decide(facts: Facts, event: RoomEvent): Effect[] {
  const changes = new Changes(facts);
  const unanswered = run(changes, event);
  if (unanswered) throw new Error(`The rules cannot decide before "${unanswered.ask.kind}" is answered.`);
  return changes.finish();
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
