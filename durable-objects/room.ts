/**
 * Room: one Durable Object per room id (the hash of the room name, common/room-id.ts: the
 * room never learns its name). It knows who is in the call, holds the lock (a salted hash,
 * never the key), and relays WebRTC signaling between members.
 *
 * This class is the shell: it talks to the runtime and nothing else. The rules of the room
 * live in room-rules/, as one pure function, and every event runs through the same three steps:
 *
 *   1. gather the facts: the sockets and their attachments, the time, and whatever else the
 *      rules ask for (the stored records, a resume token's HMAC, a key's hash, TURN credentials);
 *   2. decide once: `decide(facts, event)` returns plain effects;
 *   3. apply them, in order: send, broadcast, attach, close, store, delete, set the alarm.
 *
 * The events are a WebSocket opening (`fetch`), a frame (`webSocketMessage`), a socket going
 * away (`webSocketClose`, `webSocketError`), and the room's own alarm.
 */

import { DurableObject } from "cloudflare:workers";
import { CloseCode } from "../common/close-codes";
import { PING, PONG, type ServerMessage } from "../common/protocol";
import type { Env } from "../worker/env";
import { soakHooksEnabled } from "../worker/soak-hooks";
import { iceConfigFor } from "./ice-servers";
import { hashKey, verifyKey } from "./lock-key";
import { isResumeTokenValid, newRoomSecret, resumeTokenFor } from "./resume-token";
import type { Effect } from "./room-rules/changes";
import { decide, nextQuestion } from "./room-rules/decide";
import {
  type Answers,
  type Facts,
  type MemberRecord,
  type Question,
  type RoomEvent,
  type RoomRecords,
  type SocketAttachment,
  StorageKey,
  settingsFrom,
} from "./room-rules/facts";
import { readFrame } from "./room-rules/gate";
import type { BudgetState } from "./room-rules/message-budget";

/** The header in which the Worker passes the hashed client key; the Worker always overwrites it. */
export const CLIENT_HEADER = "X-Natter-Client";

export class Room extends DurableObject<Env> {
  /**
   * How many key hashes (locks and guesses) this instance computed since it woke. Only
   * observability for tests that prove refused tries are refused before any hashing.
   */
  keyChecksSinceWake = 0;

  /** The room's clock. Tests move it forward instead of waiting minutes for knocks to lapse. */
  now: () => number = () => Date.now();

  /**
   * The room's bucket of key hashes (room-rules/limits.ts HASH_BUDGET). In memory only: the
   * object hibernates only after seconds of quiet, by when a bucket is full again anyway.
   */
  private hashBudget: BudgetState | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // We use only hibernatable WebSockets (`ctx.acceptWebSocket`): an idle call costs nothing,
    // because the runtime may evict this object from memory while the sockets stay open, and
    // construct it again when a socket has something to say. So nothing may live only in a
    // field: each socket's record rides in its attachment, the room's in storage, and what is
    // kept in memory (flood buckets, the hash bucket) is only ever a cache that may start over.
    // Heartbeats are answered by the runtime itself, without waking the object at all.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade.", { status: 426 });
    }
    const client = request.headers.get(CLIENT_HEADER) ?? "unknown";
    // The rules make room at the door and accept the socket (an `accept` effect).
    const accepted = await this.handle(null, () => ({ kind: "open", client }));
    return new Response(null, { status: 101, webSocket: accepted });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const frame = readFrame(raw);
    await this.handle(ws, (socket) => ({ kind: "frame", socket, frame }));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // With hibernation the runtime leaves the closing handshake to us. 1005 and 1006 describe a
    // missing close frame and may not be sent back.
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.normal : code, reason);
    } catch {
      // Already closed from our side (after 1009 or a removal): nothing left to finish.
    }
    await this.handle(ws, (socket) => ({ kind: "departure", socket, code }));
  }

  override async webSocketError(ws: WebSocket, _error: unknown): Promise<void> {
    // A transport error ends the socket without a close frame, like a network drop.
    await this.handle(ws, (socket) => ({ kind: "departure", socket, code: 1006 }));
  }

  /** Timers would pin the object in memory, so everything due later is one alarm (room-rules/schedule.ts). */
  override async alarm(): Promise<void> {
    await this.handle(null, () => ({ kind: "alarm" }));
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

  /**
   * One event: gather, decide, apply. Returns the socket an `open` accepted.
   *
   * Reading storage keeps other events out (the runtime's input gate), but hashing a key or
   * fetching TURN credentials does not; an event that needs either is handled again from the
   * start inside `blockConcurrencyWhile`, so that nothing changes the room between the facts
   * and the effects (a removal cannot slip between checking a resume token and admitting it).
   */
  private async handle(
    self: WebSocket | null,
    eventFor: (socket: number) => RoomEvent,
    serialized = false,
  ): Promise<WebSocket | null> {
    const sockets = this.ctx.getWebSockets();
    // A socket that is closing may already be gone from the list; its departure still counts.
    if (self && !sockets.includes(self)) sockets.push(self);
    const event = eventFor(self ? sockets.indexOf(self) : -1);
    let facts = this.facts(sockets, event.kind === "alarm");
    for (let question = nextQuestion(facts, event); question; question = nextQuestion(facts, event)) {
      if (question.kind !== "records" && !serialized) {
        return this.ctx.blockConcurrencyWhile(() => this.handle(self, eventFor, true));
      }
      facts = { ...facts, ...(await this.answer(facts, question)) };
    }
    return this.apply(sockets, decide(facts, event));
  }

  /** The facts every decision starts from: nothing here waits on I/O. */
  private facts(sockets: WebSocket[], withHeartbeats: boolean): Facts {
    return {
      now: this.now(),
      settings: settingsFrom(this.env),
      sockets: sockets.map((ws) => ({
        attachment: attachmentOf(ws),
        messageBudget: budgets.get(ws),
        stateBudget: stateBudgets.get(ws),
        // The runtime records when it last answered a heartbeat, on its own clock.
        ...(withHeartbeats && { heartbeatAgeMs: heartbeatAge(this.ctx.getWebSocketAutoResponseTimestamp(ws)) }),
      })),
      freshId: crypto.randomUUID().replaceAll("-", ""),
      hashBudget: this.hashBudget,
      answers: {},
    };
  }

  /** Finds out what the rules asked. */
  private async answer(facts: Facts, question: Question): Promise<Partial<Facts>> {
    const answers = facts.answers;
    switch (question.kind) {
      case "records":
        return { records: await this.records() };
      case "resume-token": {
        const { secret, drawn } = await this.secret(answers);
        const resumeTokenValid = await isResumeTokenValid(secret, question.id, question.token);
        return { answers: { ...answers, ...drawn, resumeTokenValid } };
      }
      case "key-guess":
        this.keyChecksSinceWake++;
        return { answers: { ...answers, keyMatches: await verifyKey(question.key, question.lock) } };
      case "new-lock":
        this.keyChecksSinceWake++;
        return { answers: { ...answers, newLock: await hashKey(question.key) } };
      case "credentials": {
        const ice = await iceConfigFor(this.env, facts.now);
        if (question.id === null) return { answers: { ...answers, ice } };
        const { secret, drawn } = await this.secret(answers);
        const resumeToken = { id: question.id, token: await resumeTokenFor(secret, question.id) };
        return { answers: { ...answers, ...drawn, ice, resumeToken } };
      }
    }
  }

  /** Everything the room keeps in storage but its secret (DO storage caches reads in memory). */
  private async records(): Promise<RoomRecords> {
    const storage = this.ctx.storage;
    const identities = await storage.list<MemberRecord>({ prefix: StorageKey.member });
    const { lock, guesses, knockBudget, knockHolds, emptySince } = StorageKey;
    const values = await storage.get<never>([lock, guesses, knockBudget, knockHolds, emptySince]);
    return {
      identities: [...identities.values()],
      lock: values.get(lock) ?? null,
      guesses: values.get(guesses) ?? null,
      knockBudget: values.get(knockBudget) ?? null,
      knockHolds: values.get(knockHolds) ?? {},
      emptySince: values.get(emptySince) ?? null,
    };
  }

  /** The secret resume tokens are made with; a room without one draws it here and the rules store it. */
  private async secret(answers: Answers): Promise<{ secret: string; drawn: Answers }> {
    const stored = answers.newSecret ?? (await this.ctx.storage.get<string>(StorageKey.secret));
    if (stored) return { secret: stored, drawn: {} };
    const secret = newRoomSecret();
    return { secret, drawn: { newSecret: secret } };
  }

  /**
   * Carries out the effects in order, without yielding between them, so that everything one
   * decision sends (say, announcing a newcomer and then welcoming it) goes out as one step.
   * Storage writes are ordered by the runtime, and held back with every message sent after
   * them until they are durable (the output gate); they are awaited together at the end.
   */
  private async apply(sockets: WebSocket[], effects: Effect[]): Promise<WebSocket | null> {
    const storage = this.ctx.storage;
    const writes: Promise<unknown>[] = [];
    let accepted: WebSocket | null = null;
    for (const effect of effects) {
      switch (effect.kind) {
        case "send":
          send(sockets[effect.socket]!, effect.message);
          break;
        case "broadcast":
          for (const ws of sockets) {
            const { member, departed } = attachmentOf(ws);
            if (member && !departed && member.id !== effect.except) send(ws, effect.message);
          }
          break;
        case "attach":
          attach(sockets[effect.socket]!, effect.attachment);
          break;
        case "close":
          try {
            sockets[effect.socket]!.close(effect.code, effect.reason);
          } catch {
            // Already closing: the room is done with it either way.
          }
          break;
        case "accept": {
          const { 0: client, 1: server } = new WebSocketPair();
          // Hibernatable: the runtime holds the socket, and wakes this object for its events.
          this.ctx.acceptWebSocket(server);
          attach(server, effect.attachment);
          sockets.push(server);
          accepted = client;
          break;
        }
        case "keep-budget":
          (effect.bucket === "messages" ? budgets : stateBudgets).set(sockets[effect.socket]!, effect.state);
          break;
        case "keep-hash-budget":
          this.hashBudget = effect.state;
          break;
        case "store":
          writes.push(storage.put(effect.key, effect.value));
          break;
        case "delete":
          writes.push(storage.delete(effect.keys));
          break;
        case "delete-all":
          writes.push(storage.deleteAll());
          break;
        case "alarm":
          writes.push(effect.at === null ? storage.deleteAlarm() : storage.setAlarm(effect.at));
          break;
      }
    }
    await Promise.all(writes);
    return accepted;
  }
}

/**
 * Attachments as last written, so the hot path does not deserialize every socket's on every
 * message. Only a cache: the attachment itself is written through, and a socket the runtime
 * hands back after hibernation (a new object) simply misses it.
 */
const attachments = new WeakMap<WebSocket, SocketAttachment>();
/** Running flood-control buckets between refusals (a refusing bucket is also in the attachment). */
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

function heartbeatAge(at: Date | null): number | null {
  return at ? Date.now() - at.getTime() : null;
}
