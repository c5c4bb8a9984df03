import * as v from "valibot";
import { CloseCode } from "../../../common/close-codes";
import { HEARTBEAT_INTERVAL_MS, PING, PONG } from "../../../common/heartbeat";
import { type ClientMessage, ServerMessage } from "../../../common/protocol";
import { takeEarlySocket } from "./early-socket";

/**
 * The room's pace, not ours: it drops a member silent for HEARTBEAT_TIMEOUT_MS as a tab that
 * vanished. It also keeps proxies between us and the edge from dropping a quiet socket.
 */
export const HEARTBEAT_MS = HEARTBEAT_INTERVAL_MS;

/**
 * A PING still unanswered after this long means the socket is dead even though the browser has
 * not noticed: a TCP connection whose network vanished (Wi-Fi to cellular, a laptop lid) can look
 * open for minutes. Measured from the PING, not from the last tick, so a background tab whose
 * timers the browser slows down is never mistaken for a dead one.
 */
export const PONG_TIMEOUT_MS = 2 * HEARTBEAT_INTERVAL_MS;
/** After the tab comes back to the foreground or the network changes, the room gets this long to answer. */
export const CHECK_TIMEOUT_MS = 5_000;

const CONNECTING = 0;
const OPEN = 1;

/** The part of WebSocket the client uses, so tests can hand in a socket that needs no server. */
export interface SocketLike extends EventTarget {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SignalingHandlers {
  open(): void;
  message(message: ServerMessage): void;
  /** The room went away (not called after `close()`): `code` and `reason` come from the close frame. */
  closed(info: { code: number; reason: string }): void;
}

export interface SignalingOptions {
  heartbeatMs?: number;
  pongTimeoutMs?: number;
  createSocket?: (url: string) => SocketLike;
  now?: () => number;
}

/**
 * Parses one text frame from the room. The room is trusted but not infallible (and may be newer
 * than this page), so anything that does not match the protocol is dropped rather than acted on.
 */
export function parseServerMessage(text: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    console.warn("natter: ignoring a frame from the room that is not JSON");
    return null;
  }
  const result = v.safeParse(ServerMessage, raw);
  if (!result.success) {
    const issue = result.issues[0];
    console.warn(
      `natter: ignoring an invalid message from the room (${v.getDotPath(issue) ?? "message"}: ${issue.message})`,
    );
    return null;
  }
  return result.output;
}

/**
 * One WebSocket to one room: typed messages out, validated messages in, and a heartbeat that
 * also notices when the room stopped answering. It never reconnects: RoomLink (room-link.ts)
 * makes a new one.
 */
export class Signaling {
  readonly #socket: SocketLike;
  readonly #handlers: SignalingHandlers;
  readonly #now: () => number;
  readonly #pongTimeoutMs: number;
  /** Messages sent before the socket opened; the engine never has to care about the handshake. */
  #queue: string[] = [];
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #check: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest PING the room has not answered was sent (any frame from the room answers it). */
  #unansweredSince: number | null = null;
  readonly #heartbeatMs: number;
  /** When the heartbeat timer last ran: a frozen or throttled tab shows up as a long gap. */
  #lastBeatAt = 0;
  #closed = false;

  constructor(url: string, handlers: SignalingHandlers, options: SignalingOptions = {}) {
    this.#handlers = handlers;
    this.#now = options.now ?? Date.now;
    this.#pongTimeoutMs = options.pongTimeoutMs ?? PONG_TIMEOUT_MS;
    // The page's first module may have opened this very socket already (early-socket.ts).
    this.#socket = (options.createSocket ?? ((u) => takeEarlySocket(u) ?? new WebSocket(u)))(url);
    const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.#heartbeatMs = heartbeatMs;

    const opened = () => {
      if (this.#closed) return;
      for (const text of this.#queue) this.#socket.send(text);
      this.#queue = [];
      // The room answers PING from the runtime without waking the Durable Object, so this costs nothing.
      this.#lastBeatAt = this.#now();
      this.#heartbeat = setInterval(() => this.#beat(), heartbeatMs);
      this.#handlers.open();
    };
    // A socket that opened before it was handed to us says so now, after the constructor, as an event would.
    if (this.#socket.readyState === OPEN) queueMicrotask(opened);
    else this.#socket.addEventListener("open", opened);
    this.#socket.addEventListener("message", (event) => {
      if (this.#closed) return;
      this.#heard();
      const { data } = event as MessageEvent<unknown>;
      if (typeof data !== "string") {
        console.warn("natter: ignoring a binary frame from the room");
        return;
      }
      if (data === PONG) return;
      const message = parseServerMessage(data);
      if (message) this.#handlers.message(message);
    });
    this.#socket.addEventListener("close", (event) => {
      this.#stopHeartbeat();
      if (this.#closed) return;
      this.#closed = true;
      const { code, reason } = event as CloseEvent;
      this.#handlers.closed({ code, reason });
    });
  }

  /** How long the oldest PING has gone unanswered: 0 while the room answers (or nothing was asked). */
  silentFor(): number {
    return this.#unansweredSince === null ? 0 : this.#now() - this.#unansweredSince;
  }

  /** True once the socket has opened (and until it closes). */
  get isOpen(): boolean {
    return !this.#closed && this.#socket.readyState === OPEN;
  }

  send(message: ClientMessage): void {
    if (this.#closed) return;
    const text = JSON.stringify(message);
    if (this.#socket.readyState === OPEN) this.#socket.send(text);
    else if (this.#socket.readyState === CONNECTING) this.#queue.push(text);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeat();
    this.#queue = [];
    this.#socket.close(1000, "left");
  }

  /**
   * Asks the room for a sign of life now, and gives the socket up if none comes within
   * `timeoutMs`: after the tab was in the background or the network changed, the socket may have
   * died without a close event, and waiting for the next heartbeat would leave the call silent.
   */
  check(timeoutMs = CHECK_TIMEOUT_MS): void {
    if (this.#closed || this.#socket.readyState !== OPEN || this.#check !== undefined) return;
    this.#ping();
    const asked = this.#now();
    this.#check = setTimeout(() => {
      this.#check = undefined;
      if (this.#unansweredSince !== null && this.#unansweredSince <= asked) this.abandon();
    }, timeoutMs);
  }

  #beat(): void {
    if (this.#socket.readyState !== OPEN) return;
    const now = this.#now();
    const late = now - this.#lastBeatAt > 2 * this.#heartbeatMs;
    this.#lastBeatAt = now;
    if (late) {
      // The page was frozen (a phone's background tab): the room's answer may be queued right
      // behind this tick, so judge from a fresh PING, not from one sent before the freeze.
      this.#unansweredSince = null;
      this.#ping();
      return;
    }
    if (this.#unansweredSince !== null && now - this.#unansweredSince >= this.#pongTimeoutMs) {
      this.abandon();
      return;
    }
    this.#ping();
  }

  #ping(): void {
    this.#socket.send(PING);
    this.#unansweredSince ??= this.#now();
  }

  #heard(): void {
    this.#unansweredSince = null;
  }

  /**
   * Gives up on a socket that stopped answering (or never opened): reports it as dropped at once
   * instead of waiting for the browser's close handshake, which over a dead network only ends in
   * a timeout minutes later. The close code tells the room, should it still hear it, that this
   * was no leave.
   */
  abandon(reason = "The room stopped answering."): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeat();
    this.#queue = [];
    try {
      this.#socket.close(CloseCode.gaveUp, reason);
    } catch {
      // Closing a socket that is already closing cannot fail in a way that matters here.
    }
    this.#handlers.closed({ code: CloseCode.gaveUp, reason });
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    clearTimeout(this.#check);
    this.#check = undefined;
  }
}
