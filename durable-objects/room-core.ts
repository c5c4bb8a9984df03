/**
 * The room's rules as pure functions: who may do what, and who hears about it.
 *
 * The Durable Object shell (room.ts) owns sockets, storage, hashing and alarms; this
 * module only sees plain data, so the rules are unit-tested without sockets and cannot
 * depend on anything that hibernation would wipe.
 */
import { CloseCode } from "../common/close-codes";
import type { ClientMessage, KnockOutcome, LockInfo, PeerInfo, ServerMessage } from "../common/protocol";
import { validateKey } from "./lock-key";
import { type BudgetState, freshBudget, spend } from "./message-budget";
import {
  KNOCK_BUDGET,
  KNOCK_HOLD_MS,
  KNOCK_RENEW_MS,
  KNOCK_RETRY_MS,
  LOCK_COOLDOWN_MS,
  MAX_KNOCKS_PER_CLIENT,
  msUntilToken,
} from "./room-limits";

export type Member = PeerInfo;

/** Someone outside a locked room asking to be let in. `id` becomes their peer id if admitted. */
export interface Knock {
  id: string;
  name: string;
  /** When the knock was made (ms since epoch); it lapses KNOCK_LAPSE_MS later. */
  at: number;
  /** The knocking client (a hash the Worker made of its address), for per-client limits. Never sent to anyone. */
  client?: string;
}

/** What the room knows about a socket at its door, for the knock limits. */
export interface Door {
  /** The client's hashed key from the Worker. */
  client: string;
  /** Until when this socket or client may not knock (ms since epoch): a member declined it. */
  heldUntil?: number;
}

export const KNOCK_LAPSE_MS = 2 * 60 * 1000;
export const MAX_PENDING_KNOCKS = 5;
export const DEFAULT_MAX_PEERS = 8;

/** Who sent a message: a member of the call, or a socket that has not been let in. */
export type Sender =
  | {
      member: Member;
      knock?: undefined /** When this socket last locked or unlocked the room. */;
      lockChangedAt?: number;
    }
  | { member: null; knock: Knock | null; door?: Door };

export interface Facts {
  /** Everyone in the call, in join order, not including the sender (members whose socket just dropped included). */
  members: readonly Member[];
  /** Pending knocks, not including the sender's own. */
  knocks: readonly Knock[];
  lock: LockInfo | null;
  now: number;
  maxPeers: number;
  /** A fresh, unguessable peer id. */
  newId: () => string;
  /** The room's bucket of knocks it passes on to members (room-limits.ts); absent means full. */
  knockBudget?: BudgetState;
}

export type Effect =
  /** To the socket that sent the message, whether or not it has joined. */
  | { kind: "reply"; message: ServerMessage }
  /** To one member. */
  | { kind: "send"; to: string; message: ServerMessage }
  /** To every member except `except`. */
  | { kind: "broadcast"; except: string | null; message: ServerMessage }
  /** The sender becomes this member. */
  | { kind: "admit"; member: Member }
  /**
   * Welcome `member` (the sender, or the socket of knock `knockId`): the shell adds the
   * ICE servers and a resume token, which take I/O to make.
   */
  | { kind: "welcome"; member: Member; peers: Member[]; lock: LockInfo | null; knockId: string | null }
  /** The sender's record changes (name or media state). */
  | { kind: "update-member"; member: Member }
  /** The sender's socket now knocks (or, with null, no longer does). */
  | { kind: "set-knock"; knock: Knock | null }
  /** The room's knock bucket after a knock was passed on. */
  | { kind: "set-knock-budget"; state: BudgetState }
  /** The socket of knock `id`, and its client, may not knock again before `until`. */
  | { kind: "hold-knocker"; id: string; until: number }
  /** The socket that made knock `id` becomes a member. */
  | { kind: "admit-knocker"; id: string; member: Member }
  /** To the socket that made knock `id`; `end` also withdraws the knock. */
  | { kind: "to-knocker"; id: string; message: ServerMessage; end: boolean }
  /**
   * End member `id`'s presence for good: close its socket if it has one (without a second
   * departure), and forget the identity, so its resume token never works again.
   */
  | { kind: "close"; id: string; code: number; reason: string }
  /** Work the shell must do with storage or crypto before the room can answer. */
  | { kind: "verify-key"; name: string; key: string }
  | { kind: "verify-resume"; message: Extract<ClientMessage, { type: "join" }> }
  | { kind: "store-lock"; key: string; by: string; byId: string }
  | { kind: "clear-lock"; by: string; byId: string }
  | { kind: "send-ice" };

const error = (code: Extract<ServerMessage, { type: "error" }>["code"], message: string): Effect => ({
  kind: "reply",
  message: { type: "error", code, message },
});

const membersOnly = error("not-joined", "Only people in the call can do that; send `join` first.");
const full: Effect = { kind: "reply", message: { type: "denied", reason: "full" } };
/**
 * Every knock limit answers alike, so that an outsider learns "not now" and never which
 * limit it met (how many knocks are pending, or that the room is full).
 */
const tooManyKnocks = (retryAfterMs: number): Effect => ({
  kind: "reply",
  message: { type: "denied", reason: "too-many-knocks", retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)) },
});

/**
 * A signal goes to one other member. It is nearly every message a room handles, so it
 * needs no facts beyond "is `to` someone else in this call": the shell answers that from
 * its sockets without reading storage, and only asks storage when the peer is not connected.
 */
export function routeSignal(
  sender: Sender,
  message: Extract<ClientMessage, { type: "signal" }>,
  isOtherMember: (id: string) => boolean,
): Effect[] {
  if (!sender.member) return [membersOnly];
  if (message.to === sender.member.id || !isOtherMember(message.to)) {
    return [error("unknown-peer", "No such peer in this room.")];
  }
  // `from` comes from the room's record of the sender, never from the client.
  return [{ kind: "send", to: message.to, message: { type: "signal", from: sender.member.id, data: message.data } }];
}

export function handleMessage(facts: Facts, sender: Sender, message: ClientMessage): Effect[] {
  switch (message.type) {
    case "join":
      if (sender.member) return [error("already-joined", "This socket has already joined.")];
      // A resume token is checked by the shell, which comes back through `resume` or,
      // if the token is no good, through this function again without it.
      if (message.resume) return [{ kind: "verify-resume", message }];
      if (!facts.lock) return isFull(facts) ? [full] : admit(facts, sender, message.name);
      // Outsiders learn that the room is locked and nothing else.
      if (message.key === undefined) return [{ kind: "reply", message: { type: "denied", reason: "locked" } }];
      return [{ kind: "verify-key", name: message.name, key: message.key }];
    case "signal":
      return routeSignal(sender, message, (id) => isOtherMember(facts, id));
    case "state": {
      if (!sender.member) return [membersOnly];
      const { type: _, ...change } = message;
      const member: Member = { ...sender.member, ...change };
      return [
        { kind: "update-member", member },
        { kind: "broadcast", except: null, message: { type: "peer-state", peer: member } },
      ];
    }
    case "refresh-ice":
      return sender.member ? [{ kind: "send-ice" }] : [membersOnly];
    case "lock": {
      if (!sender.member) return [membersOnly];
      // The schema counts characters as typed; the key is hashed normalized, which may be shorter.
      const problem = validateKey(message.key);
      if (problem !== null) return [error("bad-message", `Invalid \`lock\` message: ${problem}`)];
      return (
        lockCooldown(facts, sender) ?? [
          { kind: "store-lock", key: message.key, by: sender.member.name, byId: sender.member.id },
        ]
      );
    }
    case "unlock":
      if (!sender.member) return [membersOnly];
      if (!facts.lock) return [error("not-locked", "The room is not locked.")];
      return lockCooldown(facts, sender) ?? [{ kind: "clear-lock", by: sender.member.name, byId: sender.member.id }];
    case "knock":
      return knock(facts, sender, message.name);
    case "admit":
    case "deny":
      return answerKnock(facts, sender, message.id, message.type === "admit");
    case "kick":
      return kick(facts, sender, message.id);
  }
}

/**
 * Lets the sender in as a new member (or, when resuming, as the member it was). The
 * others hear first, so the newcomer's first offer never arrives before `peer-joined`.
 */
export function admit(facts: Facts, sender: Sender, name: string, resumedId?: string): Effect[] {
  const member: Member = { id: resumedId ?? sender.knock?.id ?? facts.newId(), name };
  const effects: Effect[] = [{ kind: "broadcast", except: member.id, message: { type: "peer-joined", peer: member } }];
  if (sender.knock) effects.push(...endKnock(sender.knock.id, "withdrawn"), { kind: "set-knock", knock: null });
  effects.push(
    { kind: "admit", member },
    { kind: "welcome", member, peers: [...facts.members], lock: facts.lock, knockId: null },
  );
  return effects;
}

/** What the shell found out about a `join{resume}`: facts the rules decide on, never decisions. */
export interface ResumeClaim {
  /** The token is this room's HMAC of the claimed id. */
  tokenValid: boolean;
  /**
   * The identity is live: its socket is connected, or it dropped and is still within its
   * grace period. A deliberate leave, an expired grace period or a removal ends an identity
   * for good, so an old token proves only who someone was, not that they may come back.
   */
  live: boolean;
}

/**
 * A join that claims an identity. Honoured only for a live identity with a valid token;
 * anything else is an ordinary join, lock and all (a locked room says only "locked").
 */
export function handleResume(
  facts: Facts,
  sender: Sender,
  message: Extract<ClientMessage, { type: "join" }>,
  claim: ResumeClaim,
): Effect[] {
  const { resume: claimed, ...join } = message;
  if (!claimed || !claim.tokenValid || !claim.live) return handleMessage(facts, sender, join);
  return resume(facts, sender, { id: claimed.id, name: message.name }, true);
}

/**
 * A reconnect with a valid resume token. The peer keeps its id, so the others see no
 * leave and join; `peer-joined` is still sent, because after a room restart some peers
 * may have forgotten it, and clients treat a known id as "still here". `known` says
 * whether the room still counts the peer (then it needs no free place).
 */
export function resume(facts: Facts, sender: Sender, member: Member, known: boolean): Effect[] {
  const others = { ...facts, members: facts.members.filter((m) => m.id !== member.id) };
  if (!known && isFull(others)) return [full];
  return admit(others, sender, member.name, member.id);
}

/** A refusal while the sender's socket locked or unlocked the room too recently, or null. */
function lockCooldown(facts: Facts, sender: Sender): Effect[] | null {
  if (!sender.member || sender.lockChangedAt === undefined) return null;
  const wait = sender.lockChangedAt + LOCK_COOLDOWN_MS - facts.now;
  if (wait <= 0) return null;
  return [error("lock-cooldown", `You just locked or unlocked the room; try again in ${Math.ceil(wait / 1000)} s.`)];
}

/**
 * A knock is a prompt on every member's screen, so it is limited per socket (one renewal
 * per KNOCK_RENEW_MS, none for a while after a decline), per client and per room. A full
 * room still takes knocks: "full" would tell an outsider something about who is inside.
 */
function knock(facts: Facts, sender: Sender, name: string): Effect[] {
  if (sender.member) return [error("already-joined", "You are already in the call.")];
  if (!facts.lock) return [error("not-locked", "The room is not locked: send `join` instead.")];
  const client = sender.door?.client;
  const wait = Math.max(
    (sender.door?.heldUntil ?? 0) - facts.now,
    sender.knock ? sender.knock.at + KNOCK_RENEW_MS - facts.now : 0,
  );
  if (wait > 0) return [tooManyKnocks(wait)];
  if (!sender.knock) {
    const fromClient = client === undefined ? 0 : facts.knocks.filter((k) => k.client === client).length;
    if (facts.knocks.length >= MAX_PENDING_KNOCKS || fromClient >= MAX_KNOCKS_PER_CLIENT) {
      return [tooManyKnocks(KNOCK_RETRY_MS)];
    }
  }
  const before = facts.knockBudget ?? freshBudget(KNOCK_BUDGET, facts.now);
  const { state, verdict } = spend(before, KNOCK_BUDGET, facts.now);
  if (verdict !== "ok") return [tooManyKnocks(msUntilToken(before, KNOCK_BUDGET, facts.now))];
  // Knocking again renews the request (new name, fresh two minutes) under the same id.
  const knock: Knock = { id: sender.knock?.id ?? facts.newId(), name, at: facts.now, ...(client && { client }) };
  // Members see when a knocker's name could be mistaken for someone's inside (or another
  // knocker's); the knocker is not told, so knocking cannot probe for who is inside.
  const others = [...facts.members.map((m) => m.name), ...facts.knocks.map((k) => k.name)];
  const nameInUse = others.some((other) => namesLookAlike(other, name));
  return [
    { kind: "set-knock", knock },
    { kind: "set-knock-budget", state },
    { kind: "reply", message: { type: "knock-sent" } },
    {
      kind: "broadcast",
      except: null,
      message: { type: "knocking", id: knock.id, name, ...(nameInUse && { nameInUse: true as const }) },
    },
  ];
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

function answerKnock(facts: Facts, sender: Sender, id: string, admitted: boolean): Effect[] {
  if (!sender.member) return [membersOnly];
  const knock = facts.knocks.find((k) => k.id === id);
  if (!knock) return [error("unknown-knock", "No one with that id is asking to join.")];
  // The admitter counts too: `facts.members` leaves the sender out.
  if (admitted && facts.members.length + 1 >= facts.maxPeers) {
    return [
      { kind: "to-knocker", id, message: { type: "denied", reason: "full" }, end: true },
      ...endKnock(id, "full"),
    ];
  }
  if (!admitted) {
    return [
      // A declined knocker may not knock again at once, from that socket or that client.
      // (Before the knock ends: ending it is what lets go of the socket's knock id.)
      { kind: "hold-knocker", id, until: facts.now + KNOCK_HOLD_MS },
      { kind: "to-knocker", id, message: { type: "denied", reason: "knock-declined" }, end: true },
      ...endKnock(id, "declined"),
    ];
  }
  const member: Member = { id: knock.id, name: knock.name };
  return [
    { kind: "broadcast", except: null, message: { type: "peer-joined", peer: member } },
    ...endKnock(id, "admitted"),
    // Welcomed while still a knocker (that is how the shell finds the socket), then admitted.
    { kind: "welcome", member, peers: [...facts.members, sender.member], lock: facts.lock, knockId: id },
    { kind: "admit-knocker", id, member },
  ];
}

function kick(facts: Facts, sender: Sender, id: string): Effect[] {
  if (!sender.member) return [membersOnly];
  if (!isOtherMember(facts, id)) return [error("unknown-peer", "No such peer in this room.")];
  // Everyone hears at once, whatever the removed peer's socket is doing: connected, or away
  // within its grace period (when nothing would ever announce it otherwise).
  return [
    { kind: "send", to: id, message: { type: "removed", by: sender.member.name, byId: sender.member.id } },
    { kind: "close", id, code: CloseCode.removed, reason: "You were removed from the call." },
    { kind: "broadcast", except: id, message: { type: "peer-left", id } },
  ];
}

/** Knocks older than the lapse time, and what everyone hears about them. */
export function lapseKnocks(facts: Facts): Effect[] {
  return facts.knocks
    .filter((k) => facts.now - k.at >= KNOCK_LAPSE_MS)
    .flatMap((k) => [
      { kind: "to-knocker", id: k.id, message: { type: "denied", reason: "knock-lapsed" }, end: true } as const,
      ...endKnock(k.id, "lapsed"),
    ]);
}

/** What the others hear when a socket goes away for good, however it went. */
export function handleDeparture(sender: Sender): Effect[] {
  if (sender.member) {
    return [{ kind: "broadcast", except: sender.member.id, message: { type: "peer-left", id: sender.member.id } }];
  }
  return sender.knock ? endKnock(sender.knock.id, "withdrawn") : [];
}

function endKnock(id: string, outcome: KnockOutcome): Effect[] {
  return [{ kind: "broadcast", except: null, message: { type: "knock-ended", id, outcome } }];
}

function isFull(facts: Facts): boolean {
  return facts.members.length >= facts.maxPeers;
}

function isOtherMember(facts: Facts, id: string): boolean {
  return facts.members.some((m) => m.id === id);
}
