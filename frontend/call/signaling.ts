import * as v from "valibot";
import { type ClientMessage, HEARTBEAT_INTERVAL_MS, PING, PONG, ServerMessage } from "../../durable-objects/protocol";

/**
 * The room's pace, not ours: it drops a member silent for HEARTBEAT_TIMEOUT_MS as a tab that
 * vanished. It also keeps proxies between us and the edge from dropping a quiet socket.
 */
export const HEARTBEAT_MS = HEARTBEAT_INTERVAL_MS;

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
  createSocket?: (url: string) => SocketLike;
}

/** `wss://<host>/api/rooms/<name>/ws`, on whatever host served the page (Vite proxies it in development). */
export function roomSocketUrl(room: string, where: Pick<Location, "protocol" | "host"> = location): string {
  const scheme = where.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${where.host}/api/rooms/${encodeURIComponent(room)}/ws`;
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

/** One WebSocket to one room: typed messages out, validated messages in, and a heartbeat. */
export class Signaling {
  readonly #socket: SocketLike;
  readonly #handlers: SignalingHandlers;
  /** Messages sent before the socket opened; the engine never has to care about the handshake. */
  #queue: string[] = [];
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(url: string, handlers: SignalingHandlers, options: SignalingOptions = {}) {
    this.#handlers = handlers;
    this.#socket = (options.createSocket ?? ((u) => new WebSocket(u)))(url);
    const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;

    this.#socket.addEventListener("open", () => {
      if (this.#closed) return;
      for (const text of this.#queue) this.#socket.send(text);
      this.#queue = [];
      // The room answers PING from the runtime without waking the Durable Object, so this costs nothing.
      this.#heartbeat = setInterval(() => {
        if (this.#socket.readyState === OPEN) this.#socket.send(PING);
      }, heartbeatMs);
      this.#handlers.open();
    });
    this.#socket.addEventListener("message", (event) => {
      if (this.#closed) return;
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

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
