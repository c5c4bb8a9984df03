/**
 * What the room's rules decide on: the facts the shell gathers before every decision, the
 * events it decides about, and the questions the rules may still have (each answered by
 * I/O: storage, crypto, the TURN provider) before they can decide.
 *
 * Everything here is plain data. A socket is named by its index in `Facts.sockets`, so the
 * rules never hold a WebSocket and tests can write facts by hand.
 */
import type { ParseResult } from "../../common/parse-client-message";
import type { IceConfig, LockInfo, PeerInfo } from "../../common/protocol";
import type { StoredLock } from "../lock-key";
import { type CallModeRecord, callModeSettings } from "./call-mode";
import type { GuessThrottleState } from "./guess-throttle";
import { DEFAULT_MAX_PEERS } from "./limits";
import { type BudgetConfig, type BudgetState, budgetConfig } from "./message-budget";
import type { SfuCall, SfuOutcome, SfuRecord } from "./sfu-calls";

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

/** What each socket carries through hibernation (its attachment). Stored as is: keep old fields readable. */
export interface SocketAttachment {
  /** Set once the socket is in the call. */
  member: Member | null;
  /** Set while the socket, not yet in the call, asks to be let in. */
  knock?: Knock | null;
  /**
   * Join order. `getWebSockets()` returns sockets in no particular order, and the
   * welcome lists peers oldest first, so the order must travel with the socket.
   */
  seq?: number;
  /** When the socket was admitted: its liveness baseline until its first heartbeat. */
  since?: number;
  /** Flood control for this socket, written only when it refuses (message-budget.ts). */
  budget?: BudgetState;
  /** Set once the room is done with this socket, so departures are never handled twice. */
  departed?: boolean;
  /** The client's key, hashed by the Worker from its address (worker/client-key.ts). */
  client?: string;
  /** When this socket last locked or unlocked the room (the lock cooldown). */
  lockChangedAt?: number;
  /** A member declined this socket's knock: no knocking before this time. */
  heldUntil?: number;
  /** When the socket came to the door (opened, or its knock ended): idle door sockets are closed (door.ts). */
  doorSince?: number;
  /** When this member's SFU request went out, until its outcome is in: one at a time (sfu.ts). */
  sfuSince?: number;
}

/** One socket the room holds, as the rules see it. */
export interface SocketFacts {
  attachment: SocketAttachment;
  /** The running flood-control bucket, kept in memory between refusals; absent after a wake. */
  messageBudget?: BudgetState;
  /** The running `state` bucket (in memory only: it refills within seconds). */
  stateBudget?: BudgetState;
  /** The running reaction bucket (in memory only, like `state`'s). */
  reactionBudget?: BudgetState;
  /** Gathered for alarms only: how long ago the runtime last answered this socket's heartbeat (null: never). */
  heartbeatAgeMs?: number | null;
}

/**
 * A live identity: the allow-list of who may resume. Written when a socket is admitted,
 * given a deadline when its socket drops without a deliberate close, and deleted when the
 * identity ends for good (a deliberate leave, the deadline passing, a removal). Kept in
 * storage rather than derived from sockets alone, so that a room restart, which closes
 * every socket without telling the object, does not shut its own members out.
 */
export interface MemberRecord {
  member: Member;
  seq: number;
  /** Null while the socket is connected; otherwise when the identity ends unless it resumes. */
  until: number | null;
}

/** The lock in storage: salt and hash of the key, never the key itself. */
export interface StoredRoomLock extends StoredLock {
  by: string;
  /** Who locked, by peer id (names are not unique); missing in locks stored before it was kept. */
  byId?: string;
}

/** Where each record lives in storage (the names predate this module: keep them). */
export const StorageKey = {
  lock: "lock",
  guesses: "guesses",
  emptySince: "emptySince",
  secret: "secret",
  /** Followed by the peer id: one MemberRecord each. */
  member: "member:",
  knockBudget: "knockBudget",
  knockHolds: "knockHolds",
  /** Followed by the peer id: one SfuRecord per member with an SFU session. */
  sfu: "sfu:",
  /** The call mode (call-mode.ts), only while it is not plain mesh. */
  callMode: "callMode",
} as const;

/** What the room keeps in storage, read when a decision needs it (signals and `state` do not). */
export interface RoomRecords {
  /** Every live identity, in storage (key) order. */
  identities: readonly MemberRecord[];
  lock: StoredRoomLock | null;
  /** Failed key guesses since the room was locked (guess-throttle.ts). */
  guesses: GuessThrottleState | null;
  /** The room's bucket of knocks it passes on to members; null means full. */
  knockBudget: BudgetState | null;
  /** Clients whose knock was declined, and until when they are held off. */
  knockHolds: Readonly<Record<string, number>>;
  /** When the room last became empty; null while anyone is in it. */
  emptySince: number | null;
  /** SFU sessions by peer id (absent, like empty, when no one has one). */
  sfu?: Readonly<Record<string, SfuRecord>>;
  /** The call mode (absent: mesh); read only where SFU mode is configured. */
  callMode?: CallModeRecord;
}

/** Answers to the questions the rules asked for this event (see Question). */
export interface Answers {
  /** The resume token is this room's HMAC of the claimed id. */
  resumeTokenValid?: boolean;
  /** The key tried opens the stored lock. */
  keyMatches?: boolean;
  /** A key to lock the room with, salted and hashed. */
  newLock?: StoredLock;
  /** ICE servers (with fresh TURN credentials) for the peer being welcomed or refreshed. */
  ice?: IceConfig;
  /** The resume token of the peer being welcomed. */
  resumeToken?: { id: string; token: string };
  /** The room had no secret for resume tokens: the shell drew this one, and the rules store it. */
  newSecret?: string;
}

/**
 * Something the rules must know before they can decide, which takes I/O to find out. The
 * shell answers questions until there are none left, then calls `decide` once.
 */
export type Question =
  | { kind: "records" }
  | { kind: "resume-token"; id: string; token: string }
  /** Whether `key` opens the stored `lock`. */
  | { kind: "key-guess"; key: string; lock: StoredRoomLock }
  | { kind: "new-lock"; key: string }
  /** ICE servers, and (with an id) the resume token for that peer. */
  | { kind: "credentials"; id: string | null };

/** What a rule returns when it cannot decide before the shell answers `ask`. */
export interface Ask {
  ask: Question;
}
export const ask = (question: Question): Ask => ({ ask: question });
/** Most decisions need the room's records; the hot path (signals, `state`) does not, so it never reads storage. */
export const ASK_RECORDS: Ask = ask({ kind: "records" });

/** Settings from the environment that the rules use. */
export interface Settings {
  /** Most people in a mesh call (MAX_PEERS). */
  maxPeers: number;
  /** Calls of up to this many people stay mesh where the SFU is configured (SFU_THRESHOLD). */
  sfuThreshold: number;
  /** Most people in a call where the SFU is configured (SFU_MAX_PEERS). */
  sfuMaxPeers: number;
  messageBudget: BudgetConfig;
  /** Whether the SFU (Cloudflare Realtime) is configured; the shell reads its settings, the rules only this. */
  sfu?: boolean;
}

export interface Facts {
  /** The room's clock. */
  now: number;
  settings: Settings;
  /** Every socket the room holds; effects name them by index. */
  sockets: readonly SocketFacts[];
  /** A fresh, unguessable id, should this event make a new member or knock. */
  freshId: string;
  /** The room's bucket of key hashes (limits.ts HASH_BUDGET), kept in memory; null means full. */
  hashBudget: BudgetState | null;
  /** Present once the rules asked for them. */
  records?: RoomRecords;
  answers: Answers;
}

/** A frame as it arrived: the shell only measures and parses it. */
export type Frame = { kind: "binary" } | { kind: "oversize" } | { kind: "text"; parsed: ParseResult };

/** Everything the room reacts to. */
export type RoomEvent =
  /** A WebSocket upgrade from client `client` (its hashed address). */
  | { kind: "open"; client: string }
  | { kind: "frame"; socket: number; frame: Frame }
  /** The socket closed (with `code`) or failed (1006). */
  | { kind: "departure"; socket: number; code: number }
  | { kind: "alarm" }
  /** An SFU request the rules asked for has come back (the shell made it between two events). */
  | { kind: "sfu-result"; call: SfuCall; outcome: SfuOutcome };

export function settingsFrom(env: {
  MAX_PEERS?: string;
  MESSAGE_BURST?: string;
  MESSAGES_PER_SECOND?: string;
  SFU_THRESHOLD?: string;
  SFU_MAX_PEERS?: string;
}) {
  const maxPeers = Number(env.MAX_PEERS);
  return {
    maxPeers: Number.isInteger(maxPeers) && maxPeers >= 2 ? maxPeers : DEFAULT_MAX_PEERS,
    ...callModeSettings(env),
    messageBudget: budgetConfig(env),
  } satisfies Settings;
}

/** The lock as members see it: who locked, never the hash. */
export function lockInfo(lock: StoredRoomLock | null): LockInfo | null {
  return lock ? { by: lock.by, byId: lock.byId ?? null } : null;
}
