/**
 * Hand-written facts for the room's pure rules (durable-objects/room-rules/), and readers for
 * what a decision said. Sockets are numbered in the order given: members first, then knockers,
 * then sockets at the door.
 */
import type { ClientMessage, IceConfig, ServerMessage } from "../../../common/protocol";
import type { Effect } from "../../../durable-objects/room-rules/changes";
import { decide } from "../../../durable-objects/room-rules/decide";
import {
  type Answers,
  type Facts,
  type Knock,
  type Member,
  type MemberRecord,
  type Question,
  type RoomEvent,
  type RoomRecords,
  type SocketFacts,
  type StoredRoomLock,
  settingsFrom,
} from "../../../durable-objects/room-rules/facts";

export const peer = (letter: string, name: string): Member => ({ id: letter.repeat(32), name });
export const ada = peer("a", "Ada");
export const bo = peer("b", "Bo");
export const cy = peer("c", "Cy");
/** The id the room draws for whoever becomes a new member or knock in these facts. */
export const FRESH_ID = "f".repeat(32);
export const ICE: IceConfig = { iceServers: [], iceTransportPolicy: "all", expiresAt: null };
/** A lock as stored; the rules never look inside the hash. */
export const LOCK: StoredRoomLock = { salt: "c2FsdA==", hash: "aGFzaA==", iterations: 1, by: "Ada", byId: ada.id };

export interface RoomSpec {
  /** Members with a live socket, in join order. */
  connected?: Member[];
  /** Members whose socket dropped: kept until `until` (null: the room lost their socket in a restart). */
  away?: { member: Member; until: number | null }[];
  knocking?: (Knock & { heldUntil?: number })[];
  /** Sockets at the door (not in the call, not knocking). */
  doors?: { client: string; since: number }[];
  now?: number;
  maxPeers?: number;
  /** Per member socket: how long ago its heartbeat was answered. */
  heartbeats?: (number | null)[];
  /** When each member socket was admitted (default: `now`). */
  since?: number;
  records?: Partial<RoomRecords>;
  answers?: Answers;
  /** Leave the records out, as for a decision that has not asked for them. */
  noRecords?: boolean;
}

export function roomFacts(spec: RoomSpec = {}): Facts {
  const now = spec.now ?? 1_000_000;
  const connected = spec.connected ?? [];
  const sockets: SocketFacts[] = [
    ...connected.map((member, i) => ({
      attachment: { member, seq: i + 1, since: spec.since ?? now, client: `client-${member.name}` },
      ...(spec.heartbeats && { heartbeatAgeMs: spec.heartbeats[i] ?? null }),
    })),
    ...(spec.knocking ?? []).map(({ heldUntil, ...knock }) => ({
      attachment: { member: null, knock, client: knock.client ?? "unknown", ...(heldUntil && { heldUntil }) },
    })),
    ...(spec.doors ?? []).map(({ client, since }) => ({ attachment: { member: null, client, doorSince: since } })),
  ];
  const identities: MemberRecord[] = [
    ...connected.map((member, i) => ({ member, seq: i + 1, until: null })),
    ...(spec.away ?? []).map(({ member, until }, i) => ({ member, seq: connected.length + i + 1, until })),
  ].sort((a, b) => (a.member.id < b.member.id ? -1 : 1));
  const records: RoomRecords = {
    identities,
    lock: null,
    guesses: null,
    knockBudget: null,
    knockHolds: {},
    emptySince: null,
    ...spec.records,
  };
  return {
    now,
    settings: { ...settingsFrom({}), ...(spec.maxPeers && { maxPeers: spec.maxPeers }) },
    sockets,
    freshId: FRESH_ID,
    hashBudget: null,
    ...(!spec.noRecords && { records }),
    answers: spec.answers ?? {},
  };
}

/** A text frame holding `message` from socket `socket`. */
export function frame(socket: number, message: ClientMessage): RoomEvent {
  return { kind: "frame", socket, frame: { kind: "text", parsed: { ok: true, message } } };
}

/** Decides, after checking that the rules have no question left. */
export function decideNow(facts: Facts, event: RoomEvent): Effect[] {
  const decision = decide(facts, event);
  if ("ask" in decision) throw new Error(`The rules still ask: ${JSON.stringify(decision.ask)}`);
  return decision.effects;
}

/** The question the rules ask before they can decide `event`, or null when they decide at once. */
export function questionOf(facts: Facts, event: RoomEvent): Question | null {
  const decision = decide(facts, event);
  return "ask" in decision ? decision.ask : null;
}

/** What the room says, in order: `to` is a socket number, or "members but <id>" for a broadcast. */
export function said(effects: Effect[]): { to: number | string; message: ServerMessage }[] {
  return effects.flatMap((e): { to: number | string; message: ServerMessage }[] => {
    if (e.kind === "send") return [{ to: e.socket, message: e.message }];
    if (e.kind === "broadcast") return [{ to: `members but ${e.except}`, message: e.message }];
    return [];
  });
}

/** What socket `socket` hears directly. */
export const heardBy = (effects: Effect[], socket: number) =>
  said(effects)
    .filter((s) => s.to === socket)
    .map((s) => s.message);

/** What the members hear by broadcast. */
export const broadcast = (effects: Effect[]) =>
  said(effects)
    .filter((s) => typeof s.to === "string")
    .map((s) => s.message);

/** The gist of what a socket heard: message types, or error codes. */
export const gist = (messages: ServerMessage[]) =>
  messages.map((m) => (m.type === "error" ? m.code : m.type === "denied" ? `denied:${m.reason}` : m.type));

export const ofKind = <K extends Effect["kind"]>(effects: Effect[], kind: K) =>
  effects.filter((e): e is Extract<Effect, { kind: K }> => e.kind === kind);
