/**
 * Room: one Durable Object per room id (the hash of the room name, common/room-id.ts: the room never
 * learns its name). It knows who is in the call, holds the lock
 * (a salted hash, never the key), and relays WebRTC signaling between members.
 *
 * Only hibernatable WebSockets are used (`ctx.acceptWebSocket`): an idle call costs
 * nothing because the object can be evicted from memory while the sockets stay open.
 * The price is that the constructor runs again on every wake-up, so nothing may live
 * only in a field: each socket's record rides in its attachment, room facts (lock,
 * failed guesses, the live identities, when the room became empty) live in storage,
 * and the member list is rebuilt from `ctx.getWebSockets()` and storage when needed.
 * Timers would pin the object in memory, so everything that must happen later is an
 * alarm, and heartbeats are answered by the runtime without waking the object.
 */

import { DurableObject } from "cloudflare:workers";
import { CloseCode } from "../common/close-codes";
import {
  type ClientMessage,
  HEARTBEAT_TIMEOUT_MS,
  isOversize,
  LIVENESS_CHECK_MS,
  MAX_MESSAGE_BYTES,
  PING,
  PONG,
  parseClientMessage,
  type ServerMessage,
} from "../common/protocol";
import type { Env } from "../worker/env";
import { soakHooksEnabled } from "../worker/soak-hooks";
import { type DoorSocket, doorDeadline, idleDoors, makeRoomAtDoor } from "./door";
import { checkGuess, type GuessThrottleState, recordFailure, triesLeftBeforeThrottle } from "./guess-throttle";
import { iceConfigFor } from "./ice-servers";
import { hashKey, type StoredLock, verifyKey } from "./lock-key";
import { type BudgetState, budgetConfig, freshBudget, spend } from "./message-budget";
import { isResumeTokenValid, newRoomSecret, resumeTokenFor } from "./resume-token";
import {
  admit,
  DEFAULT_MAX_PEERS,
  type Effect,
  type Facts,
  handleDeparture,
  handleMessage,
  handleResume,
  KNOCK_LAPSE_MS,
  type Knock,
  lapseKnocks,
  type Member,
  routeSignal,
  type Sender,
} from "./room-core";
import { HASH_BUDGET, msUntilToken, STATE_BUDGET } from "./room-limits";

/** An empty room forgets everything (lock, guess counts, secrets) after this long. */
export const EMPTY_ROOM_PURGE_MS = 10 * 60 * 1000;
/** How long a peer whose socket dropped keeps its place, unseen by the others, to resume. */
export const RESUME_GRACE_MS = 20_000;

/** What each socket carries through hibernation. */
interface SocketAttachment {
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
  /** Flood control for this socket. */
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
}

/**
 * A live identity: the allow-list of who may resume. Written when a socket is admitted,
 * given a deadline when its socket drops without a deliberate close, and deleted when the
 * identity ends for good (a deliberate leave, the deadline passing, a removal). Kept in
 * storage rather than derived from sockets alone, so that a room restart, which closes
 * every socket without telling the object, does not shut its own members out.
 */
interface MemberRecord {
  member: Member;
  seq: number;
  /** Null while the socket is connected; otherwise when the identity ends unless it resumes. */
  until: number | null;
}

/** The lock in storage: salt and hash of the key, never the key itself. */
interface StoredRoomLock extends StoredLock {
  by: string;
  /** Who locked, by peer id (names are not unique); missing in locks stored before it was kept. */
  byId?: string;
}
const LOCK = "lock";
const GUESSES = "guesses";
const EMPTY_SINCE = "emptySince";
const SECRET = "secret";
const MEMBER = "member:";
/** The room's knock bucket: knocks are rare, so it can afford a storage write and survives hibernation. */
const KNOCK_BUDGET_KEY = "knockBudget";
/** Clients whose knock was declined, and until when they are held off. */
const KNOCK_HOLDS = "knockHolds";
/** Bounds the holds map; a hold is a courtesy limit, the per-socket and per-room limits stand regardless. */
const MAX_KNOCK_HOLDS = 100;

/** The header in which the Worker passes the hashed client key; the Worker always overwrites it. */
export const CLIENT_HEADER = "X-Natter-Client";

/** Closes after which the others are told at once; any other close may be a network drop. */
const DELIBERATE_CLOSES: ReadonlySet<number> = new Set([
  CloseCode.normal,
  // A close frame without a status code: still a deliberate close by the client.
  1005,
  CloseCode.goingAway,
  CloseCode.messageTooBig,
  CloseCode.policyViolation,
  CloseCode.removed,
  CloseCode.timedOut,
]);

export class Room extends DurableObject<Env> {
  /**
   * How many key hashes (locks and guesses) this instance computed since it woke. Only
   * observability for tests that prove refused tries are refused before any hashing.
   */
  keyChecksSinceWake = 0;

  /** The room's clock. Tests move it forward instead of waiting minutes for knocks to lapse. */
  now: () => number = () => Date.now();

  /**
   * The room's bucket of key hashes (room-limits.ts HASH_BUDGET). In memory only: the
   * object hibernates only after seconds of quiet, by when a bucket is full again anyway.
   */
  private hashBudget: BudgetState | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade.", { status: 426 });
    }
    // Sockets at the door are bounded per client and per room, and a newcomer gets in by
    // closing the oldest of them rather than being refused: the newcomer may be a member
    // resuming or someone with the key, and idle sockets must never shut those out.
    // Members and knockers are bounded by their own rules (MAX_PEERS, MAX_PENDING_KNOCKS).
    const clientKey = request.headers.get(CLIENT_HEADER) ?? "unknown";
    for (const { socket } of makeRoomAtDoor(this.doors(), clientKey)) {
      this.closeAtDoor(socket, "Closed to make room for a newer connection; reconnect to join.");
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    attach(server, { member: null, client: clientKey, doorSince: this.now() });
    await this.scheduleAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Soak test only (worker/soak-hooks.ts): resets the object as a crash or an eviction would.
   * Everything in memory is lost; storage and the sockets' fate are the runtime's, as in
   * production. Unless SOAK_HOOKS is "1" in the object's own environment it does nothing and
   * says so, whoever holds a stub.
   */
  async soakEvict(): Promise<"disabled"> {
    if (!soakHooksEnabled(this.env)) return "disabled";
    this.ctx.abort("soak test: evicted on purpose");
    return "disabled"; // not reached: abort() throws
  }

  /** Soak test only, likewise guarded: the names of the stored keys, never their values. */
  async soakStorageKeys(): Promise<string[] | "disabled"> {
    if (!soakHooksEnabled(this.env)) return "disabled";
    return [...(await this.ctx.storage.list()).keys()];
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    if (attachmentOf(ws).departed) return;
    if (typeof raw !== "string") {
      send(ws, { type: "error", code: "binary-unsupported", message: "Send text frames holding JSON." });
      return;
    }
    if (!(await this.withinBudget(ws))) return;
    if (isOversize(raw)) {
      ws.close(CloseCode.messageTooBig, `Message too big: the limit is ${MAX_MESSAGE_BYTES} bytes.`);
      await this.depart(ws, CloseCode.messageTooBig);
      return;
    }
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      send(ws, { type: "error", code: parsed.code, message: parsed.message });
      return;
    }
    const message = parsed.message;
    if (message.type === "state" && !this.withinStateBudget(ws)) return;
    if ((message.type === "join" || message.type === "knock") && !attachmentOf(ws).member) {
      // Acting at the door earns a fresh DOOR_IDLE_MS: the answer (a welcome waits on crypto,
      // during which the alarm may run) must never race the idle close, and the person needs
      // time to read it. Idle sockets stay bounded by the per-client and per-room caps.
      attach(ws, { ...attachmentOf(ws), doorSince: this.now() });
    }
    if (message.type === "signal") {
      // Most signals go to a connected peer; only one that is not needs the stored facts (a peer briefly away).
      const target = this.socketOf(message.to);
      const [effect] = routeSignal(senderOf(attachmentOf(ws)), message, (id) => id === message.to && !!target);
      if (target && effect?.kind === "send") {
        send(target, effect.message);
        return;
      }
    }
    await this.run(ws, (facts, sender) => handleMessage(facts, sender, message));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Complete the closing handshake; 1005/1006 describe a missing close frame and may not be sent.
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.normal : code, reason);
    } catch {
      // Already closed from our side (after 1009 or a removal): nothing left to finish.
    }
    await this.depart(ws, code);
  }

  override async webSocketError(ws: WebSocket, _error: unknown): Promise<void> {
    // A transport error ends the socket without a close frame, like a network drop.
    await this.depart(ws, 1006);
  }

  override async alarm(): Promise<void> {
    const now = this.now();
    await this.run(null, (facts) => lapseKnocks({ ...facts, now }));
    await this.expireIdentities(now);
    await this.dropSilentSockets(now);
    for (const { socket } of idleDoors(this.doors(), now)) {
      this.closeAtDoor(socket, "Not joined in time; reconnect to join.");
    }
    const emptySince = await this.ctx.storage.get<number>(EMPTY_SINCE);
    if (emptySince !== undefined && now - emptySince >= EMPTY_ROOM_PURGE_MS && (await this.isEmpty())) {
      // An empty room keeps no data: the lock, guess counts, the resume secret, everything.
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.scheduleAlarm();
  }

  /** Charges one message to the socket's budget; false when it was refused (or the socket closed). */
  private async withinBudget(ws: WebSocket): Promise<boolean> {
    const config = budgetConfig(this.env);
    const now = this.now();
    const before = budgets.get(ws) ?? attachmentOf(ws).budget ?? freshBudget(config, now);
    const { state, verdict } = spend(before, config, now);
    budgets.set(ws, state);
    if (verdict === "ok") return true;
    // Only an exhausted bucket must survive hibernation: a spent-but-positive one refills
    // fully within seconds, long before an idle object hibernates, so writing it on every
    // message would only slow every message down.
    attach(ws, { ...attachmentOf(ws), budget: state });
    if (verdict === "refused") {
      send(ws, { type: "error", code: "rate-limited", message: "Too many messages; slow down." });
      return false;
    }
    ws.close(CloseCode.policyViolation, "Too many messages: this connection was closed.");
    await this.depart(ws, CloseCode.policyViolation);
    return false;
  }

  /** `state` is rebroadcast to everyone: its own small bucket on top of the general one. */
  private withinStateBudget(ws: WebSocket): boolean {
    const now = this.now();
    const { state, verdict } = spend(stateBudgets.get(ws) ?? freshBudget(STATE_BUDGET, now), STATE_BUDGET, now);
    stateBudgets.set(ws, state);
    if (verdict === "ok") return true;
    send(ws, { type: "error", code: "rate-limited", message: "Too many name or media changes; slow down." });
    return false;
  }

  /** Takes one key hash from the room's bucket; otherwise how long until one is free. */
  private takeHash(): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.now();
    const before = this.hashBudget ?? freshBudget(HASH_BUDGET, now);
    const { state, verdict } = spend(before, HASH_BUDGET, now);
    if (verdict !== "ok") return { ok: false, retryAfterMs: Math.max(1, msUntilToken(before, HASH_BUDGET, now)) };
    this.hashBudget = state;
    return { ok: true };
  }

  /**
   * The room is done with this socket. A deliberate close tells the others at once; a
   * close that looks like a network drop keeps the member's place for RESUME_GRACE_MS,
   * so a reconnect with its resume token causes no leave/join churn.
   */
  private async depart(ws: WebSocket, code: number): Promise<void> {
    const attachment = attachmentOf(ws);
    if (attachment.departed) return;
    attach(ws, { ...attachment, departed: true, knock: null });
    if (attachment.member && !DELIBERATE_CLOSES.has(code)) {
      const away: MemberRecord = {
        member: attachment.member,
        seq: attachment.seq ?? 0,
        until: this.now() + RESUME_GRACE_MS,
      };
      await this.ctx.storage.put(MEMBER + attachment.member.id, away);
    } else if (attachment.member || attachment.knock) {
      // A deliberate leave ends the identity: its token will not bring it back.
      if (attachment.member) await this.ctx.storage.delete(MEMBER + attachment.member.id);
      await this.run(ws, (_facts, sender) => handleDeparture(sender), senderOf(attachment));
    }
    await this.scheduleAlarm();
  }

  /**
   * Members who dropped and did not come back in time are gone for good. An identity that
   * the room still counts as connected but has no socket lost it in a restart (which closes
   * sockets without telling the object): from now on it is away, with the usual grace.
   */
  private async expireIdentities(now: number): Promise<void> {
    for (const [key, record] of await this.ctx.storage.list<MemberRecord>({ prefix: MEMBER })) {
      if (this.socketOf(record.member.id)) continue;
      if (record.until === null) {
        await this.ctx.storage.put(key, { ...record, until: now + RESUME_GRACE_MS });
        continue;
      }
      if (record.until > now) continue;
      await this.ctx.storage.delete(key);
      await this.run(null, () => handleDeparture({ member: record.member }));
    }
  }

  /** Whether identity `id` may still resume: connected, or away within its grace period. */
  private async isLive(id: string): Promise<boolean> {
    if (this.socketOf(id)) return true;
    const record = await this.ctx.storage.get<MemberRecord>(MEMBER + id);
    return record !== undefined && (record.until === null || record.until > this.now());
  }

  /**
   * A tab that vanished without closing its socket (power loss, a phone that lost its
   * network) stops sending heartbeats; the runtime records when it last answered one.
   */
  private async dropSilentSockets(now: number): Promise<void> {
    for (const [, socket] of this.connectedMembers()) {
      const { since = 0 } = attachmentOf(socket);
      const heartbeat = this.ctx.getWebSocketAutoResponseTimestamp(socket);
      // Silent for = time since the later of admission and last heartbeat. Heartbeat times
      // come from the runtime's clock, so their age is measured on it too.
      const silentFor = Math.min(now - since, heartbeat ? Date.now() - heartbeat.getTime() : Number.POSITIVE_INFINITY);
      if (silentFor < HEARTBEAT_TIMEOUT_MS) continue;
      try {
        socket.close(CloseCode.timedOut, "No heartbeat: the connection was lost.");
      } catch {
        // Already closing; the departure below is what matters.
      }
      await this.depart(socket, CloseCode.timedOut);
    }
  }

  /** Gathers the facts, asks the rules, and carries out their effects. A null socket is the room itself (alarms). */
  private async run(ws: WebSocket | null, rules: (facts: Facts, sender: Sender) => Effect[], sender?: Sender) {
    const facts = await this.facts(ws);
    const who = sender ?? (ws ? await this.senderFor(ws) : { member: null, knock: null });
    await this.apply(ws, rules(facts, who));
  }

  /** The sender as the rules see it, with what the room knows about it at the door. */
  private async senderFor(ws: WebSocket): Promise<Sender> {
    const attachment = attachmentOf(ws);
    if (attachment.member) return { member: attachment.member, lockChangedAt: attachment.lockChangedAt };
    const client = attachment.client ?? "unknown";
    const holds = (await this.ctx.storage.get<Record<string, number>>(KNOCK_HOLDS)) ?? {};
    const heldUntil = Math.max(attachment.heldUntil ?? 0, holds[client] ?? 0);
    return { member: null, knock: attachment.knock ?? null, door: { client, ...(heldUntil > 0 && { heldUntil }) } };
  }

  /** Holds the socket of knock `id`, and its client, off knocking until `until`. */
  private async holdKnocker(id: string, until: number): Promise<void> {
    const socket = this.knockerSocket(id);
    if (!socket) return;
    const attachment = attachmentOf(socket);
    attach(socket, { ...attachment, heldUntil: until });
    if (!attachment.client) return;
    const now = this.now();
    const holds = (await this.ctx.storage.get<Record<string, number>>(KNOCK_HOLDS)) ?? {};
    const live = Object.entries(holds).filter(([, at]) => at > now);
    live.push([attachment.client, until]);
    await this.ctx.storage.put(KNOCK_HOLDS, Object.fromEntries(live.slice(-MAX_KNOCK_HOLDS)));
  }

  private async facts(self: WebSocket | null): Promise<Facts> {
    const selfId = self ? attachmentOf(self).member?.id : undefined;
    const everyone = await this.everyone();
    const knocks = [...this.knocks()].filter(([, socket]) => socket !== self).map(([knock]) => knock);
    const stored = await this.ctx.storage.get<StoredRoomLock>(LOCK);
    const maxPeers = Number(this.env.MAX_PEERS);
    return {
      members: everyone.filter((m) => m.id !== selfId),
      knocks,
      lock: stored ? { by: stored.by, byId: stored.byId ?? null } : null,
      now: this.now(),
      maxPeers: Number.isInteger(maxPeers) && maxPeers >= 2 ? maxPeers : DEFAULT_MAX_PEERS,
      newId: () => crypto.randomUUID().replaceAll("-", ""),
      knockBudget: (await this.ctx.storage.get<BudgetState>(KNOCK_BUDGET_KEY)) ?? undefined,
    };
  }

  private async apply(sender: WebSocket | null, effects: Effect[]): Promise<void> {
    // Welcomes need I/O (ICE credentials, the resume token). Made before anything is sent,
    // so that admitting, announcing and welcoming happen with no await in between: no
    // other message can slip in and, say, reach the newcomer before its welcome.
    const welcomes = new Map<Effect, ServerMessage>();
    for (const effect of effects) if (effect.kind === "welcome") welcomes.set(effect, await this.welcome(effect));
    let changed = false;
    for (const effect of effects) {
      switch (effect.kind) {
        case "reply":
          if (sender) send(sender, effect.message);
          break;
        case "send": {
          const socket = this.socketOf(effect.to);
          if (socket) send(socket, effect.message);
          break;
        }
        case "broadcast":
          this.connectedMembers().forEach((socket, member) => {
            if (member.id !== effect.except) send(socket, effect.message);
          });
          break;
        case "admit":
          if (sender) this.admitSocket(sender, effect.member);
          changed = true;
          break;
        case "welcome": {
          const socket = effect.knockId ? this.knockerSocket(effect.knockId) : sender;
          const welcome = welcomes.get(effect);
          if (socket && welcome) send(socket, welcome);
          break;
        }
        case "update-member":
          if (sender) attach(sender, { ...attachmentOf(sender), member: effect.member });
          break;
        case "set-knock":
          if (sender) attach(sender, { ...attachmentOf(sender), knock: effect.knock });
          changed = true;
          break;
        case "set-knock-budget":
          await this.ctx.storage.put(KNOCK_BUDGET_KEY, effect.state);
          break;
        case "hold-knocker":
          await this.holdKnocker(effect.id, effect.until);
          break;
        case "admit-knocker": {
          const socket = this.knockerSocket(effect.id);
          if (socket) this.admitSocket(socket, effect.member);
          changed = true;
          break;
        }
        case "to-knocker": {
          const socket = this.knockerSocket(effect.id);
          if (!socket) break;
          send(socket, effect.message);
          // Back at the door, with a fresh DOOR_IDLE_MS to read the answer and act on it.
          if (effect.end) attach(socket, { ...attachmentOf(socket), knock: null, doorSince: this.now() });
          changed = true;
          break;
        }
        case "close":
          await this.removeMember(effect.id, effect.code, effect.reason);
          break;
        case "verify-key":
          if (sender) await this.tryKey(sender, effect.name, effect.key);
          break;
        case "verify-resume":
          if (sender) await this.tryResume(sender, effect.message);
          break;
        case "store-lock": {
          const hash = this.takeHash();
          if (!hash.ok) {
            const seconds = Math.ceil(hash.retryAfterMs / 1000);
            if (sender) {
              send(sender, {
                type: "error",
                code: "busy",
                message: `The room is busy checking keys; try again in ${seconds} s.`,
              });
            }
            break;
          }
          if (sender) attach(sender, { ...attachmentOf(sender), lockChangedAt: this.now() });
          this.keyChecksSinceWake++;
          const lock: StoredRoomLock = { ...(await hashKey(effect.key)), by: effect.by, byId: effect.byId };
          await this.ctx.storage.put(LOCK, lock);
          await this.ctx.storage.delete(GUESSES);
          const locked: ServerMessage = { type: "locked", by: effect.by, byId: effect.byId };
          await this.apply(sender, [{ kind: "broadcast", except: null, message: locked }]);
          break;
        }
        case "clear-lock":
          if (sender) attach(sender, { ...attachmentOf(sender), lockChangedAt: this.now() });
          await this.ctx.storage.delete([LOCK, GUESSES]);
          await this.apply(sender, [
            { kind: "broadcast", except: null, message: { type: "unlocked", by: effect.by, byId: effect.byId } },
          ]);
          break;
        case "send-ice":
          if (sender) send(sender, { type: "ice", ice: await iceConfigFor(this.env, this.now()) });
          break;
      }
    }
    if (changed) await this.scheduleAlarm();
  }

  private admitSocket(socket: WebSocket, member: Member): void {
    // One socket per identity: an older one (a resume before the old socket noticed its own
    // death) is replaced quietly, without a departure.
    for (const other of this.ctx.getWebSockets()) {
      const { member: theirs, departed } = attachmentOf(other);
      if (other === socket || departed || theirs?.id !== member.id) continue;
      attach(other, { ...attachmentOf(other), departed: true });
      try {
        other.close(CloseCode.replaced, "Replaced by a newer connection.");
      } catch {
        // Already closing: it is replaced either way.
      }
    }
    const seq = this.nextSeq();
    attach(socket, { member, seq, since: this.now(), knock: null });
    // Not awaited, so admitting, announcing and welcoming stay one step; the write is
    // ordered before anything this object sends afterwards (output gates).
    const record: MemberRecord = { member, seq, until: null };
    void this.ctx.storage.put(MEMBER + member.id, record);
  }

  private async welcome(effect: Extract<Effect, { kind: "welcome" }>): Promise<ServerMessage> {
    return {
      type: "welcome",
      id: effect.member.id,
      peers: effect.peers,
      lock: effect.lock,
      ice: await iceConfigFor(this.env, this.now()),
      resumeToken: await resumeTokenFor(await this.secret(), effect.member.id),
    };
  }

  /**
   * Ends identity `id` for good: off the allow-list (its resume token is worthless from now
   * on) and its socket, if it has one, closed. The rules announce the departure themselves,
   * so the socket is marked departed first and its close is not a second departure.
   */
  private async removeMember(id: string, code: number, reason: string): Promise<void> {
    await this.ctx.storage.delete(MEMBER + id);
    for (const [member, socket] of this.connectedMembers()) {
      if (member.id !== id) continue;
      attach(socket, { ...attachmentOf(socket), departed: true });
      try {
        socket.close(code, reason);
      } catch {
        // Already closing: the identity is over either way.
      }
    }
    await this.scheduleAlarm();
  }

  /**
   * A join with a key to a locked room. Guesses are serialized (blockConcurrencyWhile)
   * so that parallel sockets cannot all slip past the throttle while one hash runs, and
   * a throttled try is refused before any hashing, so guessing cannot burn CPU either.
   */
  private async tryKey(ws: WebSocket, name: string, key: string): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const stored = await this.ctx.storage.get<StoredRoomLock>(LOCK);
      if (stored) {
        const now = this.now();
        const guesses = (await this.ctx.storage.get<GuessThrottleState>(GUESSES)) ?? { failures: 0, nextAllowedAt: 0 };
        const verdict = checkGuess(guesses, now);
        if (!verdict.allowed) {
          send(ws, { type: "denied", reason: "throttled", retryAfterMs: verdict.retryAfterMs });
          return;
        }
        // The room hashes only so many keys a second, locks and guesses together.
        const hash = this.takeHash();
        if (!hash.ok) {
          send(ws, { type: "denied", reason: "throttled", retryAfterMs: hash.retryAfterMs });
          return;
        }
        this.keyChecksSinceWake++;
        if (!(await verifyKey(key, stored))) {
          const after = recordFailure(guesses, now);
          await this.ctx.storage.put(GUESSES, after);
          send(ws, { type: "denied", reason: "wrong-key", triesLeft: triesLeftBeforeThrottle(after) });
          await this.apply(ws, [
            { kind: "broadcast", except: null, message: { type: "key-guessed", failures: after.failures } },
          ]);
          return;
        }
      }
      // Right key, or unlocked while this try waited its turn. Facts may have changed while hashing.
      const facts = await this.facts(ws);
      await this.apply(
        ws,
        facts.members.length >= facts.maxPeers
          ? [{ kind: "reply", message: { type: "denied", reason: "full" } }]
          : admit(facts, senderOf(attachmentOf(ws)), name),
      );
    });
  }

  /**
   * A reconnect that claims an identity. The shell gathers two facts, "is the token this
   * room's" and "is that identity live", and the rules decide. Serialized, so that nothing
   * (a removal, say) can end the identity between the check and the admission.
   */
  private async tryResume(ws: WebSocket, message: Extract<ClientMessage, { type: "join" }>): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const { id, token } = message.resume!;
      const tokenValid = await isResumeTokenValid(await this.secret(), id, token);
      const live = tokenValid && (await this.isLive(id));
      await this.run(ws, (facts, sender) => handleResume(facts, sender, message, { tokenValid, live }));
    });
  }

  /** Sockets at the door: open, not in the call, not knocking. */
  private doors(): (DoorSocket & { socket: WebSocket })[] {
    const doors: (DoorSocket & { socket: WebSocket })[] = [];
    for (const socket of this.ctx.getWebSockets()) {
      const { member, knock, departed, client = "unknown", doorSince = 0 } = attachmentOf(socket);
      if (!member && !knock && !departed) doors.push({ socket, client, since: doorSince });
    }
    return doors;
  }

  /** Closes a door socket (no departure: it was never in the call or at the members' door). */
  private closeAtDoor(socket: WebSocket, reason: string): void {
    attach(socket, { ...attachmentOf(socket), departed: true });
    try {
      socket.close(CloseCode.idle, reason);
    } catch {
      // Already closing.
    }
  }

  /** The next alarm: a knock to lapse, a dropped peer to give up on, a liveness check, an idle door socket, or the purge. */
  private async scheduleAlarm(): Promise<void> {
    const storage = this.ctx.storage;
    const times = [...this.knocks()].map(([knock]) => knock.at + KNOCK_LAPSE_MS);
    for (const door of this.doors()) times.push(doorDeadline(door));
    let orphans = false;
    for (const { member, until } of (await storage.list<MemberRecord>({ prefix: MEMBER })).values()) {
      if (until !== null) times.push(until);
      else if (!this.socketOf(member.id)) orphans = true;
    }
    if (this.connectedMembers().size > 0 || orphans) times.push(this.now() + LIVENESS_CHECK_MS);
    if (await this.isEmpty()) {
      let emptySince = await storage.get<number>(EMPTY_SINCE);
      if (emptySince === undefined) {
        emptySince = this.now();
        await storage.put(EMPTY_SINCE, emptySince);
      }
      times.push(emptySince + EMPTY_ROOM_PURGE_MS);
    } else {
      await storage.delete(EMPTY_SINCE);
    }
    if (times.length === 0) await storage.deleteAlarm();
    else await storage.setAlarm(Math.min(...times));
  }

  private async isEmpty(): Promise<boolean> {
    return this.connectedMembers().size === 0 && (await this.ctx.storage.list({ prefix: MEMBER, limit: 1 })).size === 0;
  }

  private async secret(): Promise<string> {
    let secret = await this.ctx.storage.get<string>(SECRET);
    if (!secret) {
      secret = newRoomSecret();
      await this.ctx.storage.put(SECRET, secret);
    }
    return secret;
  }

  /** Everyone in the call, connected or briefly away, in join order. */
  private async everyone(): Promise<Member[]> {
    const all: [Member, number][] = [];
    for (const [member, socket] of this.connectedMembers()) all.push([member, attachmentOf(socket).seq ?? 0]);
    for (const record of (await this.ctx.storage.list<MemberRecord>({ prefix: MEMBER })).values()) {
      if (!all.some(([m]) => m.id === record.member.id)) all.push([record.member, record.seq]);
    }
    return all.sort((a, b) => a[1] - b[1]).map(([member]) => member);
  }

  /** The live socket of member `id`, if it is connected. */
  private socketOf(id: string): WebSocket | undefined {
    for (const socket of this.ctx.getWebSockets()) {
      const { member, departed } = attachmentOf(socket);
      if (member?.id === id && !departed) return socket;
    }
    return undefined;
  }

  /** Members with a live socket, in join order. */
  private connectedMembers(): Map<Member, WebSocket> {
    const members: [Member, WebSocket, number][] = [];
    for (const socket of this.ctx.getWebSockets()) {
      const { member, departed, seq = 0 } = attachmentOf(socket);
      if (member && !departed) members.push([member, socket, seq]);
    }
    members.sort((a, b) => a[2] - b[2]);
    return new Map(members.map(([member, socket]) => [member, socket]));
  }

  private knocks(): Map<Knock, WebSocket> {
    const knocks = new Map<Knock, WebSocket>();
    for (const socket of this.ctx.getWebSockets()) {
      const { knock, departed } = attachmentOf(socket);
      if (knock && !departed) knocks.set(knock, socket);
    }
    return knocks;
  }

  private knockerSocket(id: string): WebSocket | undefined {
    for (const [knock, socket] of this.knocks()) if (knock.id === id) return socket;
    return undefined;
  }

  private nextSeq(): number {
    let highest = 0;
    for (const socket of this.ctx.getWebSockets()) highest = Math.max(highest, attachmentOf(socket).seq ?? 0);
    return highest + 1;
  }
}

function senderOf(attachment: SocketAttachment): Sender {
  return attachment.member ? { member: attachment.member } : { member: null, knock: attachment.knock ?? null };
}

/**
 * Attachments as last written, so the hot path does not deserialize every socket's on
 * every message. Only a cache: the attachment itself is written through, and a socket
 * the runtime hands back after hibernation (a new object) simply misses it.
 */
const attachments = new WeakMap<WebSocket, SocketAttachment>();

/**
 * Flood-control buckets between refusals. A bucket is persisted in the attachment only
 * when it refuses (see withinBudget); this holds the running count in between.
 */
const budgets = new WeakMap<WebSocket, BudgetState>();
/** The `state` bucket per socket; in memory only, as it refills within seconds. */
const stateBudgets = new WeakMap<WebSocket, BudgetState>();

function attachmentOf(ws: WebSocket): SocketAttachment {
  let attachment = attachments.get(ws);
  if (!attachment) {
    attachment = (ws.deserializeAttachment() as SocketAttachment | null) ?? { member: null };
    attachments.set(ws, attachment);
  }
  return attachment;
}

function attach(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
  attachments.set(ws, attachment);
}

/** Sends, ignoring sockets that are already closing: one peer's dead socket must not stop a broadcast. */
function send(ws: WebSocket, message: ServerMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // The runtime will deliver webSocketClose/webSocketError for it; departure happens there.
  }
}
