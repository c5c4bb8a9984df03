/**
 * Room: one Durable Object per room id (the hash of the room name, common/room-id.ts: the
 * room never learns its name). It knows who is in the call, holds the lock (a salted hash,
 * never the key), and relays WebRTC signaling between members.
 *
 * This class is the shell: it talks to the runtime and nothing else. The rules of the room
 * live in room-rules/, as one pure function, and every event runs through the same three steps:
 *
 *   1. gather the facts: the sockets and their attachments, the time, and what the event needs
 *      (the stored records, a resume token's HMAC);
 *   2. decide once: `decide(facts, event)` returns plain effects (or, for the few facts only the
 *      rules know they need, a key's hash or TURN credentials, a question: see `handle`);
 *   3. apply them, in order: send, broadcast, attach, close, store, delete, set the alarm.
 *
 * The events are a WebSocket opening (`fetch`), a frame (`webSocketMessage`), a socket going
 * away (`webSocketClose`, `webSocketError`), and the room's own alarm.
 */

import { DurableObject } from "cloudflare:workers";
import { CloseCode } from "../common/close-codes";
import { PING, PONG } from "../common/heartbeat";
import type { Env } from "../worker/env";
import { soakHooksEnabled } from "../worker/soak-hooks";
import { answer } from "./answers";
import { realtimeConfig } from "./realtime-api";
import type { Effect } from "./room-rules/changes";
import { decide, factsNeeded } from "./room-rules/decide";
import { type Facts, type Question, type RoomEvent, settingsFrom } from "./room-rules/facts";
import { readFrame } from "./room-rules/gate";
import type { BudgetState } from "./room-rules/message-budget";
import type { SfuCall } from "./room-rules/sfu-calls";
import { carryOut } from "./sfu-io";
import { attach, attachmentOf, buckets, close, send } from "./sockets";

/** The header in which the Worker passes the hashed client key; the Worker always overwrites it. */
export const CLIENT_HEADER = "X-Natter-Client";

export class Room extends DurableObject<Env> {
  /**
   * How many key hashes (locks and guesses) this instance computed since it woke. Only
   * observability for tests that prove refused tries are refused before any hashing.
   */
  keyChecksSinceWake = 0;

  /** How many times this instance ran the rules (`decide`) since it woke: observability, as above. */
  decisionsSinceWake = 0;

  /** The room's clock. Tests move it forward instead of waiting minutes for knocks to lapse. */
  now: () => number = () => Date.now();

  /**
   * The room's bucket of key hashes (room-rules/limits.ts HASH_BUDGET). In memory only: the
   * object hibernates only after seconds of quiet, by when a bucket is full again anyway.
   */
  private hashBudget: BudgetState | null = null;

  /** SFU requests the last decisions asked for, made once the event that asked is done (see `sfuCalls`). */
  private readonly sfuQueue: SfuCall[] = [];

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
    await this.sfuCalls();
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // With hibernation the runtime leaves the closing handshake to us. 1005 and 1006 describe a
    // missing close frame and may not be sent back.
    close(ws, code === 1005 || code === 1006 ? CloseCode.normal : code, reason);
    await this.handle(ws, (socket) => ({ kind: "departure", socket, code }));
    await this.sfuCalls();
  }

  override async webSocketError(ws: WebSocket, _error: unknown): Promise<void> {
    // A transport error ends the socket without a close frame, like a network drop.
    await this.handle(ws, (socket) => ({ kind: "departure", socket, code: 1006 }));
    await this.sfuCalls();
  }

  /** Timers would pin the object in memory, so everything due later is one alarm (room-rules/schedule.ts). */
  override async alarm(): Promise<void> {
    await this.handle(null, () => ({ kind: "alarm" }));
    await this.sfuCalls();
  }

  /**
   * Makes the SFU requests the rules asked for, then hands each outcome back to the rules as an
   * event of its own. The requests run outside the decision that asked for them (and outside
   * any `blockConcurrencyWhile`): the room keeps handling everyone else's messages meanwhile,
   * and the rules look again at who is still in the room when the outcome arrives.
   */
  private async sfuCalls(): Promise<void> {
    const config = realtimeConfig(this.env);
    while (this.sfuQueue.length > 0) {
      const calls = this.sfuQueue.splice(0);
      await Promise.all(
        calls.map(async (call) => {
          const outcome = await carryOut(config, call);
          // Nobody waits for a departed member's session to close: a failure is only worth a log line.
          if (call.op === "end" && !outcome.ok) console.warn(`SFU: closing a session failed: ${outcome.reason}`);
          await this.handle(null, () => ({ kind: "sfu-result", call, outcome }));
        }),
      );
    }
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
   * What the event needs that can be read off it (room-rules/decide.ts `factsNeeded`) is
   * gathered first, so the rules run once. Only a key's hash, a new lock's hash and TURN
   * credentials are needed on the rules' word alone (after the throttle, the cooldown, the room
   * being full: hashing or minting for everyone who asks is the attack they guard against); for
   * those the decision is a question, and the rules run a second time with its answer.
   *
   * Reading storage keeps other events out (the runtime's input gate), but crypto and fetching
   * TURN credentials do not; an event that may need either is handled from the start inside
   * `blockConcurrencyWhile`, so that nothing changes the room between the facts and the
   * effects (a removal cannot slip between checking a resume token and admitting it). Which
   * events may need them is read off the event too (`exclusive`); should the rules ever ask for
   * crypto on another event, it is handled again from the start in the same way.
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
    const needed = factsNeeded(event);
    if (needed.exclusive && !serialized) {
      return this.ctx.blockConcurrencyWhile(() => this.handle(self, eventFor, true));
    }
    let facts = this.facts(sockets, event.kind === "alarm");
    if (needed.records) facts = await this.answer(facts, { kind: "records" });
    if (needed.resume) facts = await this.answer(facts, { kind: "resume-token", ...needed.resume });
    for (;;) {
      this.decisionsSinceWake++;
      const decision = decide(facts, event);
      if ("effects" in decision) return this.apply(sockets, decision.effects);
      if (decision.ask.kind !== "records" && !serialized) {
        return this.ctx.blockConcurrencyWhile(() => this.handle(self, eventFor, true));
      }
      facts = await this.answer(facts, decision.ask);
    }
  }

  private async answer(facts: Facts, question: Question): Promise<Facts> {
    // Hashing a key is the expensive answer; tests count them.
    if (question.kind === "key-guess" || question.kind === "new-lock") this.keyChecksSinceWake++;
    return { ...facts, ...(await answer(this.ctx.storage, this.env, facts, question)) };
  }

  /** The facts every decision starts from: nothing here waits on I/O. */
  private facts(sockets: WebSocket[], withHeartbeats: boolean): Facts {
    return {
      now: this.now(),
      settings: { ...settingsFrom(this.env), sfu: realtimeConfig(this.env) !== null },
      sockets: sockets.map((ws) => ({
        attachment: attachmentOf(ws),
        messageBudget: buckets.messages.get(ws),
        stateBudget: buckets.state.get(ws),
        reactionBudget: buckets.reactions.get(ws),
        // The runtime records when it last answered a heartbeat, on its own clock.
        ...(withHeartbeats && { heartbeatAgeMs: heartbeatAge(this.ctx.getWebSocketAutoResponseTimestamp(ws)) }),
      })),
      freshId: crypto.randomUUID().replaceAll("-", ""),
      hashBudget: this.hashBudget,
      answers: {},
    };
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
          close(sockets[effect.socket]!, effect.code, effect.reason);
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
          buckets[effect.bucket].set(sockets[effect.socket]!, effect.state);
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
        case "sfu":
          this.sfuQueue.push(effect.call);
          break;
      }
    }
    await Promise.all(writes);
    return accepted;
  }
}

function heartbeatAge(at: Date | null): number | null {
  return at ? Date.now() - at.getTime() : null;
}
