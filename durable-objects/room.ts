/**
 * Room: one Durable Object per room name. It knows who is in the call, holds the lock
 * (a salted hash, never the key), and relays WebRTC signaling between members.
 *
 * Only hibernatable WebSockets are used (`ctx.acceptWebSocket`): an idle call costs
 * nothing because the object can be evicted from memory while the sockets stay open.
 * The price is that the constructor runs again on every wake-up, so nothing may live
 * only in a field: each socket's record rides in its attachment, room facts (lock,
 * failed guesses, when the room became empty) live in storage, and the member list is
 * rebuilt from `ctx.getWebSockets()` whenever it is needed. Timers would pin the object
 * in memory, so everything that must happen later is an alarm.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env";
import { checkGuess, type GuessThrottleState, recordFailure, triesLeftBeforeThrottle } from "./guess-throttle";
import { hashKey, type StoredLock, verifyKey } from "./lock-key";
import {
  CloseCode,
  isOversize,
  MAX_MESSAGE_BYTES,
  PING,
  PONG,
  parseClientMessage,
  type ServerMessage,
} from "./protocol";
import {
  admit,
  type Effect,
  type Facts,
  handleDeparture,
  handleMessage,
  KNOCK_LAPSE_MS,
  type Knock,
  lapseKnocks,
  type Member,
  type Sender,
} from "./room-core";

/** An empty room forgets everything (lock, guess counts) after this long. */
export const EMPTY_ROOM_PURGE_MS = 10 * 60 * 1000;

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
  /** Set once the others were told this socket left, so they are never told twice. */
  departed?: boolean;
}

/** Room facts in storage. The key's text is never among them. */
interface StoredRoomLock extends StoredLock {
  by: string;
}
const LOCK = "lock";
const GUESSES = "guesses";
const EMPTY_SINCE = "emptySince";

export class Room extends DurableObject<Env> {
  /**
   * How many key hashes this instance computed since it woke. Only observability for
   * tests that prove throttled tries are refused before any hashing.
   */
  keyChecksSinceWake = 0;

  /** The room's clock. Tests move it forward instead of waiting minutes for knocks to lapse. */
  now: () => number = () => Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Heartbeats are answered by the runtime itself, without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade.", { status: 426 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    attach(server, { member: null });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    if (typeof raw !== "string") {
      send(ws, { type: "error", code: "binary-unsupported", message: "Send text frames holding JSON." });
      return;
    }
    if (isOversize(raw)) {
      ws.close(CloseCode.messageTooBig, `Message too big: the limit is ${MAX_MESSAGE_BYTES} bytes.`);
      await this.depart(ws);
      return;
    }
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      send(ws, { type: "error", code: parsed.code, message: parsed.message });
      return;
    }
    await this.run(ws, (facts, sender) => handleMessage(facts, sender, parsed.message));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Complete the closing handshake; 1005/1006 describe a missing close frame and may not be sent.
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.normal : code, reason);
    } catch {
      // Already closed from our side (after 1009 or a removal): nothing left to finish.
    }
    await this.depart(ws);
  }

  override async webSocketError(ws: WebSocket, _error: unknown): Promise<void> {
    // A transport error ends the socket without a close frame; the others must still hear of it.
    await this.depart(ws);
  }

  override async alarm(): Promise<void> {
    const now = this.now();
    const anySocket = this.ctx.getWebSockets()[0];
    if (anySocket) await this.run(anySocket, (facts) => lapseKnocks({ ...facts, now }), { asRoom: true });
    const emptySince = await this.ctx.storage.get<number>(EMPTY_SINCE);
    if (this.members().size === 0 && emptySince !== undefined && now - emptySince >= EMPTY_ROOM_PURGE_MS) {
      // An empty room keeps no data: the lock, guess counts, everything.
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.scheduleAlarm();
  }

  /** Tells the others that this socket left, exactly once. */
  private async depart(ws: WebSocket): Promise<void> {
    const attachment = attachmentOf(ws);
    if (attachment.departed) return;
    attach(ws, { ...attachment, departed: true, knock: null });
    if (!attachment.member && !attachment.knock) return;
    await this.run(ws, (_facts, sender) => handleDeparture(sender), { sender: senderOf(attachment) });
    await this.scheduleAlarm();
  }

  /**
   * Gathers the facts, asks the rules, and carries out their effects. `asRoom` runs
   * rules that nobody sent (alarms): replies then go nowhere.
   */
  private async run(
    ws: WebSocket,
    rules: (facts: Facts, sender: Sender) => Effect[],
    options: { asRoom?: boolean; sender?: Sender } = {},
  ): Promise<void> {
    const facts = await this.facts(options.asRoom ? null : ws);
    const sender = options.sender ?? (options.asRoom ? { member: null, knock: null } : senderOf(attachmentOf(ws)));
    await this.apply(options.asRoom ? null : ws, rules(facts, sender), facts);
  }

  private async facts(self: WebSocket | null): Promise<Facts> {
    const members: Member[] = [];
    for (const [member, socket] of this.members()) if (socket !== self) members.push(member);
    const knocks = [...this.knocks()].filter(([, socket]) => socket !== self).map(([knock]) => knock);
    const stored = await this.ctx.storage.get<StoredRoomLock>(LOCK);
    return {
      members,
      knocks,
      lock: stored ? { by: stored.by } : null,
      now: this.now(),
      newId: () => crypto.randomUUID().replaceAll("-", ""),
    };
  }

  private async apply(sender: WebSocket | null, effects: Effect[], facts: Facts): Promise<void> {
    let membershipChanged = false;
    for (const effect of effects) {
      switch (effect.kind) {
        case "reply":
          if (sender) send(sender, effect.message);
          break;
        case "send":
          for (const [member, socket] of this.members()) if (member.id === effect.to) send(socket, effect.message);
          break;
        case "broadcast":
          for (const [member, socket] of this.members()) if (member.id !== effect.except) send(socket, effect.message);
          break;
        case "admit":
          if (sender) attach(sender, { member: effect.member, seq: this.nextSeq(), knock: null });
          membershipChanged = true;
          break;
        case "set-knock":
          if (sender) attach(sender, { ...attachmentOf(sender), knock: effect.knock });
          membershipChanged = true;
          break;
        case "admit-knocker": {
          const socket = this.knockerSocket(effect.id);
          if (socket) attach(socket, { member: effect.member, seq: this.nextSeq(), knock: null });
          membershipChanged = true;
          break;
        }
        case "to-knocker": {
          const socket = this.knockerSocket(effect.id);
          if (!socket) break;
          send(socket, effect.message);
          if (effect.end) attach(socket, { ...attachmentOf(socket), knock: null });
          membershipChanged = true;
          break;
        }
        case "close":
          for (const [member, socket] of this.members()) {
            if (member.id !== effect.id) continue;
            socket.close(effect.code, effect.reason);
            await this.depart(socket);
          }
          break;
        case "verify-key":
          if (sender) await this.tryKey(sender, effect.name, effect.key, facts);
          break;
        case "store-lock": {
          const lock: StoredRoomLock = { ...(await hashKey(effect.key)), by: effect.by };
          await this.ctx.storage.put(LOCK, lock);
          await this.ctx.storage.delete(GUESSES);
          await this.apply(sender, [{ kind: "broadcast", except: null, message: { type: "locked", by: effect.by } }], facts);
          break;
        }
        case "clear-lock":
          await this.ctx.storage.delete([LOCK, GUESSES]);
          await this.apply(sender, [{ kind: "broadcast", except: null, message: { type: "unlocked", by: effect.by } }], facts);
          break;
      }
    }
    if (membershipChanged) await this.scheduleAlarm();
  }

  /**
   * A join with a key to a locked room. Guesses are serialized (blockConcurrencyWhile)
   * so that parallel sockets cannot all slip past the throttle while one hash runs, and
   * a throttled try is refused before any hashing, so guessing cannot burn CPU either.
   */
  private async tryKey(ws: WebSocket, name: string, key: string, facts: Facts): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const stored = await this.ctx.storage.get<StoredRoomLock>(LOCK);
      if (!stored) {
        // Unlocked while this try waited its turn: the key no longer matters.
        await this.apply(ws, admit({ ...facts, lock: null }, senderOf(attachmentOf(ws)), name), facts);
        return;
      }
      const now = this.now();
      const guesses = (await this.ctx.storage.get<GuessThrottleState>(GUESSES)) ?? { failures: 0, nextAllowedAt: 0 };
      const verdict = checkGuess(guesses, now);
      if (!verdict.allowed) {
        send(ws, { type: "denied", reason: "throttled", retryAfterMs: verdict.retryAfterMs });
        return;
      }
      this.keyChecksSinceWake++;
      if (await verifyKey(key, stored)) {
        // Members' facts may have changed while hashing; admit against fresh ones.
        const fresh = await this.facts(ws);
        await this.apply(ws, admit(fresh, senderOf(attachmentOf(ws)), name), fresh);
        return;
      }
      const after = recordFailure(guesses, now);
      await this.ctx.storage.put(GUESSES, after);
      send(ws, { type: "denied", reason: "wrong-key", triesLeft: triesLeftBeforeThrottle(after) });
      await this.apply(
        ws,
        [{ kind: "broadcast", except: null, message: { type: "key-guessed", failures: after.failures } }],
        facts,
      );
    });
  }

  /** The next alarm: the earliest knock to lapse, or the purge of an empty room. */
  private async scheduleAlarm(): Promise<void> {
    const storage = this.ctx.storage;
    const times = [...this.knocks()].map(([knock]) => knock.at + KNOCK_LAPSE_MS);
    if (this.members().size === 0) {
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

  /** Members in join order, mapped to their sockets. */
  private members(): Map<Member, WebSocket> {
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

function attachmentOf(ws: WebSocket): SocketAttachment {
  return (ws.deserializeAttachment() as SocketAttachment | null) ?? { member: null };
}

function attach(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
}

/** Sends, ignoring sockets that are already closing: one peer's dead socket must not stop a broadcast. */
function send(ws: WebSocket, message: ServerMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // The runtime will deliver webSocketClose/webSocketError for it; departure happens there.
  }
}

