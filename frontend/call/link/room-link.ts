import { CloseCode, type CloseVerdict, closeVerdict } from "../../../common/close-codes";
import type { ClientMessage, ServerMessage } from "../../../common/protocol";
import { type BackoffOptions, backoffDelay, RECONNECT_BACKOFF } from "./backoff";
import {
  browserEnvironment,
  type LinkEnvironment,
  PROBE_AFTER_MS,
  PROBE_EVERY_MS,
  PROBE_TIMEOUT_MS,
  probeUrlFor,
} from "./link-environment";
import { Signaling, type SignalingOptions } from "./signaling";

/** Proof of who we were, from the last welcome, for `join{resume}`. */
export interface ResumeAs {
  id: string;
  token: string;
}

export interface RoomLinkHandlers {
  /** A socket opened: send the handshake, `join` with `resume: link.resumeAs` when there is one. */
  open(): void;
  message(message: ServerMessage): void;
  /** The socket dropped and the link is trying to get back in; `code` is why it dropped. */
  reconnecting(info: { code: number; reason: string }): void;
  /** The link is over for good (never called after `close()`). */
  closed(info: { code: number; reason: string; verdict: CloseVerdict }): void;
}

export interface RoomLinkOptions {
  signaling?: SignalingOptions;
  backoff?: BackoffOptions;
  random?: () => number;
  attemptTimeoutMs?: number;
  /** Defaults to the page's window and document; null listens to nothing (tests without them). */
  environment?: LinkEnvironment | null;
}

/** Messages worth delivering late: what peers need to connect, and what we say about ourselves. */
const DEFERRABLE: ReadonlySet<ClientMessage["type"]> = new Set(["signal", "state"]);
/** A reconnect that takes minutes would otherwise hoard every ICE candidate gathered meanwhile. */
const MAX_DEFERRED = 500;
/**
 * How long one attempt may take from opening the socket to the welcome. A socket to a network
 * that is only half back can hang in CONNECTING for minutes; the next attempt may fare better.
 */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * "live": a socket is up (or opening for the first time) and messages go straight through.
 * "waiting": the socket dropped; a timer will open the next one.
 * "resuming": the next socket is opening or has sent `join{resume}`; messages wait for the welcome.
 * "dormant": the room closed our socket at its door (CloseCode.idle) before it let us in: a
 *   hair check or a locked-room prompt left open. Nothing is lost, so nothing is retried; the
 *   next join or knock opens a new socket and goes out on it.
 * "over": closed for good.
 */
type Phase = "live" | "waiting" | "resuming" | "dormant" | "over";

/**
 * The room's socket across drops: one Signaling at a time, replaced with exponential back-off
 * and jitter whenever it closes for a reason the network may have caused, resuming our
 * identity with the token from the last welcome. Reconnecting only starts once we have been
 * welcomed: before that there is no identity to resume, and the page can simply try again.
 */
export class RoomLink {
  readonly #url: string;
  readonly #handlers: RoomLinkHandlers;
  readonly #options: RoomLinkOptions;
  #signaling: Signaling | null = null;
  /** The join or knock sent on this socket that the room has not answered yet. */
  #handshake: ClientMessage | null = null;
  #phase: Phase = "live";
  #resumeAs: ResumeAs | null = null;
  /** Failed attempts since the last welcome: the exponent of the back-off. */
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #attemptTimeout: ReturnType<typeof setTimeout> | undefined;
  /** Signals and state sent while reconnecting, delivered once the room has us back. */
  #deferred: ClientMessage[] = [];
  readonly #stopListening: () => void;
  /** We gave up on a live socket that went silent: until the next welcome, a probe may cut the wait short once. */
  #silentDrop = false;

  constructor(url: string, handlers: RoomLinkHandlers, options: RoomLinkOptions = {}) {
    this.#url = url;
    this.#handlers = handlers;
    this.#options = options;
    this.#connect();
    this.#stopListening = this.#listen(options.environment === undefined ? browserEnvironment() : options.environment);
  }

  /**
   * After a long outage the socket is the slowest thing to notice that the network is back: what
   * it sent meanwhile waits in TCP's retransmission back-off (seconds apart by then), and so does
   * the SYN of an attempt to reconnect, or the attempt waits for its own back-off. Meanwhile a
   * brand-new request goes through at once. So while the room is silent (a PING unanswered for
   * PROBE_AFTER_MS), or after we gave up on a silent socket, a small request asks every
   * PROBE_EVERY_MS whether the network works; once one is answered, the link reconnects on a
   * fresh socket now. Only once per silent spell, so a room that is slow rather than out of reach
   * still gets the ordinary back-off.
   */
  #probe(reachable: NonNullable<LinkEnvironment["reachable"]>, probeUrl: string): void {
    const silent = () => this.#phase === "live" && (this.#signaling?.silentFor() ?? 0) >= PROBE_AFTER_MS;
    const away = () =>
      this.#silentDrop &&
      (this.#phase === "waiting" || (this.#phase === "resuming" && this.#signaling?.isOpen === false));
    if (!silent() && !away()) return;
    void reachable(probeUrl, PROBE_TIMEOUT_MS).then((answered) => {
      // Several probes may be out at once: only the first answer that still finds us cut off acts.
      const wasSilent = silent();
      if (!answered || (!wasSilent && !away())) return;
      console.warn("natter: the network answers again; reconnecting to the room at once");
      if (wasSilent) this.#signaling?.abandon();
      else if (this.#phase === "resuming") this.#signaling?.abandon("The room did not answer.");
      this.#silentDrop = false;
      this.retryNow();
    });
  }

  /** Who to resume as in the next `join`: null until the first welcome, or after the room took our place. */
  get resumeAs(): ResumeAs | null {
    return this.#resumeAs;
  }

  /** True between a drop and the room welcoming us back. */
  get reconnecting(): boolean {
    return this.#phase === "waiting" || this.#phase === "resuming";
  }

  send(message: ClientMessage): void {
    if (this.#phase === "over") return;
    // Kept until the room answers it: a socket closed at the door before it read it sends it again.
    if (message.type === "join" || message.type === "knock") this.#handshake = message;
    if (this.#phase === "dormant") {
      // Only a join or a knock is worth a socket: before we are let in, nothing else means anything.
      if (message.type !== "join" && message.type !== "knock") return;
      this.#phase = "live";
      // This message is the handshake, so the page is not asked for another one.
      this.#signaling = this.#open({ announce: false });
      this.#signaling.send(message);
      return;
    }
    if (this.#phase === "live" || message.type === "join") {
      this.#signaling?.send(message);
    } else if (DEFERRABLE.has(message.type)) {
      this.#deferred.push(message);
      if (this.#deferred.length > MAX_DEFERRED) this.#deferred.shift();
    }
    // Anything else (lock, kick, …) is a click made while offline; the controls say so by hiding.
  }

  /** A deliberate leave: the room tells the others at once. */
  close(): void {
    if (this.#phase === "over") return;
    this.#phase = "over";
    clearTimeout(this.#retry);
    clearTimeout(this.#attemptTimeout);
    this.#deferred = [];
    this.#stopListening();
    this.#signaling?.close();
    this.#signaling = null;
  }

  /** Tries again now rather than at the end of the back-off (the network just came back). */
  retryNow(): void {
    if (this.#phase !== "waiting") return;
    clearTimeout(this.#retry);
    this.#connect();
  }

  /** Opens the next socket. The first one throws like `new WebSocket()` does (a malformed URL, a blocked port). */
  #connect(): void {
    if (this.#phase === "live") {
      this.#signaling = this.#open();
      return;
    }
    this.#phase = "resuming";
    let signaling: Signaling;
    try {
      signaling = this.#open();
    } catch (error) {
      // It opened before, so this is the browser refusing outright; no retry would fix that.
      console.error("natter: could not open the room's socket", error);
      this.#end({ code: 1006, reason: "Could not open the room's socket." });
      return;
    }
    this.#signaling = signaling;
    this.#attemptTimeout = setTimeout(() => {
      if (this.#signaling === signaling && this.#phase === "resuming") signaling.abandon("The room did not answer.");
    }, this.#options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS);
  }

  #open({ announce = true }: { announce?: boolean } = {}): Signaling {
    const signaling: Signaling = new Signaling(
      this.#url,
      {
        open: () => {
          if (announce) this.#handlers.open();
        },
        message: (message) => this.#receive(message),
        closed: (info) => this.#dropped(signaling, info),
      },
      this.#options.signaling,
    );
    return signaling;
  }

  #receive(message: ServerMessage): void {
    // Any word from the room answers the handshake (welcome, denied, knock-sent, an error).
    this.#handshake = null;
    if (message.type === "welcome") {
      this.#resumeAs = { id: message.id, token: message.resumeToken };
      this.#attempt = 0;
      this.#silentDrop = false;
      clearTimeout(this.#attemptTimeout);
      if (this.#phase === "resuming") {
        this.#phase = "live";
        // Before the welcome they would have reached a room that does not know this socket yet.
        const deferred = this.#deferred;
        this.#deferred = [];
        for (const m of deferred) this.#signaling?.send(m);
      }
    } else if (message.type === "denied" && this.#phase === "resuming") {
      // The room did not take us back as ourselves (token revoked, room forgotten, then locked or
      // full): we are a stranger at its door now, and what we held was for the old call.
      this.#phase = "live";
      this.#resumeAs = null;
      this.#deferred = [];
      clearTimeout(this.#attemptTimeout);
    }
    this.#handlers.message(message);
  }

  #dropped(signaling: Signaling, info: { code: number; reason: string }): void {
    if (signaling !== this.#signaling || this.#phase === "over") return;
    this.#signaling = null;
    clearTimeout(this.#attemptTimeout);
    if (info.code === CloseCode.idle && this.#resumeAs === null) {
      this.#phase = "dormant";
      // The room's idle alarm and our join (or knock) crossed: it closed the socket without
      // reading it, and no answer will come. The person did act, so it goes out again, on a new socket.
      const unanswered = this.#handshake;
      if (unanswered) this.send(unanswered);
      return;
    }
    const verdict = closeVerdict(info.code);
    if (verdict !== "reconnect" || this.#resumeAs === null) {
      this.#end({ ...info, verdict: verdict === "reconnect" ? "refused" : verdict });
      return;
    }
    const wasLive = this.#phase === "live";
    if (wasLive && info.code === CloseCode.gaveUp) this.#silentDrop = true;
    this.#phase = "waiting";
    const delay = backoffDelay(this.#attempt++, this.#options.random, this.#options.backoff ?? RECONNECT_BACKOFF);
    this.#retry = setTimeout(() => this.#connect(), delay);
    if (wasLive) this.#handlers.reconnecting(info);
  }

  #end(info: { code: number; reason: string; verdict?: CloseVerdict }): void {
    this.#phase = "over";
    clearTimeout(this.#retry);
    clearTimeout(this.#attemptTimeout);
    this.#deferred = [];
    this.#stopListening();
    this.#handlers.closed({ code: info.code, reason: info.reason, verdict: info.verdict ?? "refused" });
  }

  /**
   * The network coming back ends the wait at once; the network going away, or a tab coming back
   * to the foreground (a phone unlocked, a laptop opened), checks at once that the socket still
   * works: a socket whose network vanished often looks open until a heartbeat goes unanswered.
   */
  #listen(environment: LinkEnvironment | null): () => void {
    if (!environment) return () => {};
    const { window: win, document: doc } = environment;
    const online = () => {
      this.retryNow();
      this.#signaling?.check();
    };
    const offline = () => this.#signaling?.check();
    const visibility = () => {
      if (doc.visibilityState !== "visible") return;
      this.retryNow();
      this.#signaling?.check();
    };
    win.addEventListener("online", online);
    win.addEventListener("offline", offline);
    doc.addEventListener("visibilitychange", visibility);
    const { reachable } = environment;
    const probing = reachable
      ? setInterval(() => this.#probe(reachable, probeUrlFor(this.#url)), PROBE_EVERY_MS)
      : undefined;
    return () => {
      clearInterval(probing);
      win.removeEventListener("online", online);
      win.removeEventListener("offline", offline);
      doc.removeEventListener("visibilitychange", visibility);
    };
  }
}
