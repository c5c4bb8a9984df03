/**
 * Knocking: someone outside a locked room asks to be let in, and a member admits or declines
 * them. A knock is a prompt on every member's screen, so it is limited per socket (one renewal
 * per KNOCK_RENEW_MS, none for a while after a decline), per client and per room, and every
 * limit answers alike: an outsider learns "not now", never which limit it met (how many knocks
 * are pending, or that the room is full). A full room still takes knocks for the same reason.
 */
import type { ServerMessage } from "../../common/protocol";
import { becomeMember, credentialsFor, welcome } from "./admission";
import { isFull } from "./call-mode";
import type { Changes } from "./changes";
import { ASK_RECORDS, type Ask, type Knock, type Member, StorageKey } from "./facts";
import {
  KNOCK_BUDGET,
  KNOCK_HOLD_MS,
  KNOCK_LAPSE_MS,
  KNOCK_RENEW_MS,
  KNOCK_RETRY_MS,
  MAX_KNOCK_HOLDS,
  MAX_KNOCKS_PER_CLIENT,
  MAX_PENDING_KNOCKS,
  msUntilToken,
} from "./limits";
import { freshBudget, spend } from "./message-budget";
import { endKnock, error, FULL, MEMBERS_ONLY } from "./replies";

const tooManyKnocks = (retryAfterMs: number): ServerMessage => ({
  type: "denied",
  reason: "too-many-knocks",
  retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)),
});

export function knock(changes: Changes, ref: number, name: string): Ask | undefined {
  const { room, now } = changes;
  const self = room.attachment(ref);
  if (self.member) return changes.send(ref, error("already-joined", "You are already in the call."));
  if (!changes.facts.records) return ASK_RECORDS;
  const { lock, knockHolds, knockBudget } = changes.records;
  if (!lock) return changes.send(ref, error("not-locked", "The room is not locked: send `join` instead."));
  const client = self.client ?? "unknown";
  const heldUntil = Math.max(self.heldUntil ?? 0, knockHolds[client] ?? 0);
  const wait = Math.max(heldUntil - now, self.knock ? self.knock.at + KNOCK_RENEW_MS - now : 0);
  if (wait > 0) return changes.send(ref, tooManyKnocks(wait));
  const pending = room.knocks(ref).map(({ knock }) => knock);
  if (!self.knock) {
    const fromClient = pending.filter((k) => k.client === client).length;
    if (pending.length >= MAX_PENDING_KNOCKS || fromClient >= MAX_KNOCKS_PER_CLIENT) {
      return changes.send(ref, tooManyKnocks(KNOCK_RETRY_MS));
    }
  }
  const before = knockBudget ?? freshBudget(KNOCK_BUDGET, now);
  const { state, verdict } = spend(before, KNOCK_BUDGET, now);
  if (verdict !== "ok") return changes.send(ref, tooManyKnocks(msUntilToken(before, KNOCK_BUDGET, now)));
  // Knocking again renews the request (new name, fresh two minutes) under the same id.
  const knock: Knock = { id: self.knock?.id ?? changes.facts.freshId, name, at: now, ...(client && { client }) };
  // Members see when a knocker's name could be mistaken for someone's inside (or another
  // knocker's); the knocker is not told, so knocking cannot probe for who is inside.
  const others = [...room.everyoneBut(ref).map((m) => m.name), ...pending.map((k) => k.name)];
  const nameInUse = others.some((other) => namesLookAlike(other, name));
  changes.update(ref, { knock });
  changes.reschedule();
  changes.store(StorageKey.knockBudget, state);
  changes.send(ref, { type: "knock-sent" });
  changes.broadcast(null, { type: "knocking", id: knock.id, name, ...(nameInUse && { nameInUse: true as const }) });
}

/**
 * Whether two display names would look the same on a screen: compared after Unicode
 * compatibility folding, ignoring case, spaces and invisible format characters.
 * (Look-alike letters from other scripts are beyond it; the "at the door" label is the
 * main defence, this is the warning on top.)
 */
export function namesLookAlike(a: string, b: string): boolean {
  const fold = (name: string) =>
    name
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[\p{Z}\p{Cf}\s]/gu, "");
  return fold(a) === fold(b);
}

/** A member admits or declines knock `id`. */
export function answerKnock(changes: Changes, ref: number, id: string, admitted: boolean): Ask | undefined {
  const { member: self } = changes.room.attachment(ref);
  if (!self) return changes.send(ref, MEMBERS_ONLY);
  if (!changes.facts.records) return ASK_RECORDS;
  const knock = changes.room.knocks(ref).find(({ knock }) => knock.id === id)?.knock;
  if (!knock) return changes.send(ref, error("unknown-knock", "No one with that id is asking to join."));
  const others = changes.room.everyoneBut(ref);
  // The admitter counts too: `others` leaves them out.
  if (admitted && isFull(changes.facts.settings, others.length + 1)) {
    toKnocker(changes, id, FULL);
    endKnock(changes, id, "full");
    return;
  }
  if (!admitted) {
    // A declined knocker may not knock again at once, from that socket or that client.
    // (Before the knock ends: ending it is what lets go of the socket's knock id.)
    holdKnocker(changes, id, changes.now + KNOCK_HOLD_MS);
    toKnocker(changes, id, { type: "denied", reason: "knock-declined" });
    endKnock(changes, id, "declined");
    return;
  }
  const member: Member = { id: knock.id, name: knock.name };
  const credentials = credentialsFor(changes, member.id);
  if ("ask" in credentials) return credentials;
  changes.broadcast(null, { type: "peer-joined", peer: member });
  endKnock(changes, id, "admitted");
  // Welcomed while still a knocker (that is how its socket is found), then admitted.
  const knocker = changes.room.knockerSocket(id);
  if (knocker !== undefined) {
    welcome(changes, knocker, member, [...others, self], credentials);
    becomeMember(changes, knocker, member);
  }
}

/** Knocks nobody answered in KNOCK_LAPSE_MS: the knocker hears, and every member's prompt goes. */
export function lapseKnocks(changes: Changes): void {
  for (const { knock } of changes.room.knocks()) {
    if (changes.now - knock.at < KNOCK_LAPSE_MS) continue;
    toKnocker(changes, knock.id, { type: "denied", reason: "knock-lapsed" });
    endKnock(changes, knock.id, "lapsed");
  }
}

/** Tells the socket of knock `id` how it ended; it is back at the door, with a fresh DOOR_IDLE_MS to act on it. */
function toKnocker(changes: Changes, id: string, message: ServerMessage): void {
  const ref = changes.room.knockerSocket(id);
  if (ref === undefined) return;
  changes.send(ref, message);
  changes.update(ref, { knock: null, doorSince: changes.now });
  changes.reschedule();
}

/** Holds the socket of knock `id`, and its client, off knocking until `until`. */
function holdKnocker(changes: Changes, id: string, until: number): void {
  const ref = changes.room.knockerSocket(id);
  if (ref === undefined) return;
  changes.update(ref, { heldUntil: until });
  const { client } = changes.room.attachment(ref);
  if (!client) return;
  const live = Object.entries(changes.records.knockHolds).filter(([, at]) => at > changes.now);
  live.push([client, until]);
  changes.store(StorageKey.knockHolds, Object.fromEntries(live.slice(-MAX_KNOCK_HOLDS)));
}
