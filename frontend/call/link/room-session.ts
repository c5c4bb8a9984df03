/**
 * The call's side of the room's socket (LiveKit's SignalClient, roughly): finds the room's
 * address, opens the reconnecting link (room-link.ts), says `join` on every socket once the call
 * asked to join (resuming when the room gave us a token), and puts the end of the link in words.
 */
import { CloseCode } from "../../../common/close-codes";
import type { ClientMessage, ServerMessage } from "../../../common/protocol";
import type { CallError } from "../handle";
import { RoomLink, type RoomLinkOptions } from "./room-link";
import type { SignalingOptions } from "./signaling";
import { roomSocketUrlFor } from "./socket-url";

export interface RoomSessionOptions {
  room: string;
  /** The socket's address; defaults to the room's on this host, by the room's id (hashed from `room`). */
  url?: string;
  signaling?: SignalingOptions;
  reconnect?: Omit<RoomLinkOptions, "signaling">;
}

/** What the session reports to the call. */
export interface RoomSessionEvents {
  message(message: ServerMessage): void;
  /** The socket dropped; `timedOut` when the room had given up on us and told everyone we left. */
  reconnecting(info: { timedOut: boolean }): void;
  /** The link is over for good: someone removed us, or why, as a code the page words. */
  ended(end: { removed: true } | { error: CallError }): void;
}

export class RoomSession {
  readonly #options: RoomSessionOptions;
  readonly #events: RoomSessionEvents;
  /** The name to join with, asked at each handshake (it may change before we are in). */
  readonly #name: () => string;
  #link: RoomLink | null = null;
  #open = false;
  #closed = false;
  /** join() was called: every socket the link opens (the first, and any reconnect) sends the handshake. */
  #joinRequested = false;

  constructor(options: RoomSessionOptions, events: RoomSessionEvents, name: () => string) {
    this.#options = options;
    this.#events = events;
    this.#name = name;
  }

  /** Whether the socket is down and coming back (signals sent now would only pile up). */
  get reconnecting(): boolean {
    return this.#link?.reconnecting !== false;
  }

  connect(): void {
    const url = this.#options.url;
    if (url !== undefined) {
      this.#openLink(url);
      return;
    }
    // Hashing is asynchronous (crypto.subtle): join() waits for the link's open anyway, and a
    // call that ended meanwhile (leave, unmount) opens nothing.
    roomSocketUrlFor(this.#options.room).then(
      (roomUrl) => {
        if (!this.#closed && this.#link === null) this.#openLink(roomUrl);
      },
      (error: unknown) => {
        // No crypto.subtle: the page is not a secure context (plain http on another host).
        console.error("natter: could not derive the room's id", error);
        this.#events.ended({ error: "insecure" });
      },
    );
  }

  get joinRequested(): boolean {
    return this.#joinRequested;
  }

  /** Asks to be let in: now if the socket is open, else the moment it opens. Once. */
  join(): void {
    if (this.#joinRequested) return;
    this.#joinRequested = true;
    if (this.#open) this.#sendJoin();
  }

  send(message: ClientMessage): void {
    this.#link?.send(message);
  }

  close(): void {
    this.#closed = true;
    this.#link?.close();
    this.#link = null;
  }

  #openLink(url: string): void {
    try {
      this.#link = new RoomLink(
        url,
        {
          open: () => {
            this.#open = true;
            if (this.#joinRequested) this.#sendJoin();
          },
          message: (message) => this.#events.message(message),
          reconnecting: ({ code }) => {
            this.#open = false;
            this.#events.reconnecting({ timedOut: code === CloseCode.timedOut });
          },
          closed: ({ code, verdict }) => {
            if (verdict === "removed") this.#events.ended({ removed: true });
            else this.#events.ended({ error: verdict === "replaced" ? "replaced" : describeClose(code) });
          },
        },
        { ...this.#options.reconnect, signaling: this.#options.signaling },
      );
    } catch (error) {
      // new WebSocket() throws synchronously on a malformed URL or a blocked port.
      console.error("natter: could not open the room's socket", error);
      this.#events.ended({ error: "connect" });
    }
  }

  #sendJoin(): void {
    const resume = this.#link?.resumeAs;
    this.send({ type: "join", name: this.#name(), ...(resume && { resume }) });
  }
}

function describeClose(code: number): CallError {
  if (code === CloseCode.policyViolation || code === CloseCode.messageTooBig) return "refused";
  // 1006 is all a browser reports for a socket that never opened or dropped without a close frame.
  return "lost";
}
