import { batch, computed, type ReadonlySignal, type Signal, signal } from "@preact/signals-core";
import {
  type ClientMessage,
  CloseCode,
  type IceConfig,
  type LockInfo,
  type PeerInfo,
  type ServerMessage,
  type SignalData,
} from "../../durable-objects/protocol";
import { type Access, accessAfterDenial } from "./access";
import { acquireLocalMedia, type GetUserMedia, stopTracks } from "./media";
import { PeerConnection } from "./peer-connection";
import { roomKeyProblem } from "./room-key";
import { roomSocketUrl, Signaling, type SignalingOptions } from "./signaling";

/**
 * "outside": the room is locked and has not let us in (yet); the socket stays open so we can
 * offer a key or knock. "removed": someone in the call removed us.
 */
export type CallStatus = "connecting" | "outside" | "joined" | "removed" | "left" | "error";

export interface Peer {
  readonly id: string;
  readonly name: string;
  /** Null until the first remote track arrives. */
  readonly stream: MediaStream | null;
}

/** Someone outside a locked room asking to be let in. */
export interface KnockRequest {
  readonly id: string;
  readonly name: string;
}

/** A lock or unlock that just happened, for announcing it (`lock` alone cannot say who unlocked). */
export interface LockNews {
  readonly locked: boolean;
  readonly by: string;
}

/** Someone outside tried a wrong key: members are told, never affected. */
export interface GuessWarning {
  /** Wrong keys in a row so far. */
  readonly failures: number;
  /** When we heard (ms since epoch). */
  readonly at: number;
}

/** How long a wrong-key warning stays up: long enough to read, short enough not to nag. */
export const GUESS_WARNING_MS = 10_000;

/** Everything a view needs to draw a call: read-only signals, so views cannot change the engine behind its back. */
export interface CallState {
  readonly status: ReadonlySignal<CallStatus>;
  readonly selfId: ReadonlySignal<string | null>;
  readonly selfName: ReadonlySignal<string>;
  readonly localStream: ReadonlySignal<MediaStream | null>;
  readonly peers: ReadonlySignal<readonly Peer[]>;
  /** Why we send less than camera and microphone; the call goes on regardless. */
  readonly mediaError: ReadonlySignal<string | null>;
  /** Why the call stopped (status "error"). */
  readonly error: ReadonlySignal<string | null>;
  /** Where we stand at the door of a locked room; "in" once we are in the call. */
  readonly access: ReadonlySignal<Access>;
  /** Whether the room is locked and by whom, as members see it. */
  readonly lock: ReadonlySignal<LockInfo | null>;
  readonly lockNews: ReadonlySignal<LockNews | null>;
  /** People outside asking to be let in, oldest first. */
  readonly knocks: ReadonlySignal<readonly KnockRequest[]>;
  readonly guessWarning: ReadonlySignal<GuessWarning | null>;
  /** Who removed us (status "removed"), when the room said so. */
  readonly removedBy: ReadonlySignal<string | null>;
}

/** What a view may ask of a call. Methods that take a key return why it cannot be used, or null. */
export interface CallControls {
  leave(): void;
  /** Tries a key at a locked room's door. */
  submitKey(key: string): string | null;
  /** Asks the people inside a locked room to let us in. */
  knock(): void;
  /** Locks the room; with `thenRemove`, removes that peer once the lock is in place. */
  lockRoom(key: string, options?: { thenRemove?: string }): string | null;
  unlockRoom(): void;
  admit(knockId: string): void;
  deny(knockId: string): void;
  removePeer(peerId: string): void;
}

export interface CallOptions {
  room: string;
  name: string;
  /** Overrides the ICE servers the room hands out with its welcome. */
  iceServers?: RTCIceServer[];
  /** Defaults to the room's WebSocket on the host that served the page. */
  url?: string;
  /** Defaults to the browser's; null means there is no way to capture media. */
  getUserMedia?: GetUserMedia | null;
  signaling?: SignalingOptions;
  /** The clock for throttle deadlines and warnings; replaceable in tests. */
  now?: () => number;
}

interface Member {
  id: string;
  name: string;
  connection: PeerConnection;
}

/** Messages that need our media (or the peers it is sent to) before they can be handled. */
const NEEDS_MEDIA: ReadonlySet<ServerMessage["type"]> = new Set(["peer-joined", "peer-left", "signal"]);

/**
 * A call in one room: the room's signaling socket, local media, and one peer connection per
 * other member. Framework-free so that any view (or a test) can drive it through its signals.
 */
export class Call implements CallState, CallControls {
  readonly #status = signal<CallStatus>("connecting");
  readonly #selfId = signal<string | null>(null);
  readonly #selfName: Signal<string>;
  readonly #localStream = signal<MediaStream | null>(null);
  readonly #members = signal<ReadonlyMap<string, Member>>(new Map());
  readonly #mediaError = signal<string | null>(null);
  readonly #error = signal<string | null>(null);
  readonly #access = signal<Access>({ state: "unknown" });
  readonly #lock = signal<LockInfo | null>(null);
  readonly #lockNews = signal<LockNews | null>(null);
  readonly #knocks = signal<readonly KnockRequest[]>([]);
  readonly #guessWarning = signal<GuessWarning | null>(null);
  readonly #removedBy = signal<string | null>(null);

  readonly status: ReadonlySignal<CallStatus> = this.#status;
  readonly selfId: ReadonlySignal<string | null> = this.#selfId;
  readonly selfName: ReadonlySignal<string>;
  readonly localStream: ReadonlySignal<MediaStream | null> = this.#localStream;
  readonly mediaError: ReadonlySignal<string | null> = this.#mediaError;
  readonly error: ReadonlySignal<string | null> = this.#error;
  readonly access: ReadonlySignal<Access> = this.#access;
  readonly lock: ReadonlySignal<LockInfo | null> = this.#lock;
  readonly lockNews: ReadonlySignal<LockNews | null> = this.#lockNews;
  readonly knocks: ReadonlySignal<readonly KnockRequest[]> = this.#knocks;
  readonly guessWarning: ReadonlySignal<GuessWarning | null> = this.#guessWarning;
  readonly removedBy: ReadonlySignal<string | null> = this.#removedBy;
  readonly peers: ReadonlySignal<readonly Peer[]> = computed(() =>
    [...this.#members.value.values()].map((m) => ({ id: m.id, name: m.name, stream: m.connection.remoteStream.value })),
  );

  readonly #options: CallOptions;
  readonly #now: () => number;
  #signaling: Signaling | null = null;
  /** Ids that said goodbye: a late signal from one of them must not resurrect its tile. */
  readonly #departed = new Set<string>();
  /** While our media is being acquired after the welcome, messages about peers wait here. */
  #held: ServerMessage[] | null = null;
  /** A peer to remove as soon as the room confirms our lock (so they cannot walk back in). */
  #removeAfterLock: string | null = null;
  #guessWarningTimer: ReturnType<typeof setTimeout> | undefined;
  /** STUN/TURN from the room: only members get them, since TURN relays cost money. */
  #ice: IceConfig | null = null;

  constructor(options: CallOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#selfName = signal(options.name);
    this.selfName = this.#selfName;
  }

  /**
   * The room first, media once we are let in: a locked room must not light up the camera of
   * someone still waiting at its door, and nobody inside could receive it anyway.
   */
  start(): void {
    try {
      this.#signaling = new Signaling(
        this.#options.url ?? roomSocketUrl(this.#options.room),
        {
          open: () => this.#send({ type: "join", name: this.#selfName.value }),
          message: (message) => this.#handle(message),
          closed: ({ code, reason }) => {
            if (code === CloseCode.removed) this.#beRemoved(null);
            else this.#fail(describeClose(code, reason));
          },
        },
        this.#options.signaling,
      );
    } catch (error) {
      // new WebSocket() throws synchronously on a malformed URL or a blocked port.
      console.error("natter: could not open the room's socket", error);
      this.#fail("Could not connect to the room.");
    }
  }

  leave(): void {
    if (this.#isOver()) return;
    this.#status.value = "left";
    this.#teardown();
  }

  submitKey(key: string): string | null {
    const problem = roomKeyProblem(key);
    if (problem !== null) return problem;
    if (this.#status.value !== "outside") return null;
    this.#access.value = { state: "checking-key" };
    // The key exists only in this one message: never stored, logged, or kept for a retry.
    this.#send({ type: "join", name: this.#selfName.value, key });
    return null;
  }

  knock(): void {
    if (this.#status.value !== "outside") return;
    // Shown at once; the room's knock-sent or denial follows within a round trip.
    this.#access.value = { state: "knocking" };
    this.#send({ type: "knock", name: this.#selfName.value });
  }

  lockRoom(key: string, options: { thenRemove?: string } = {}): string | null {
    const problem = roomKeyProblem(key);
    if (problem !== null) return problem;
    if (this.#status.value !== "joined") return null;
    this.#removeAfterLock = options.thenRemove ?? null;
    this.#send({ type: "lock", key });
    return null;
  }

  unlockRoom(): void {
    if (this.#status.value === "joined") this.#send({ type: "unlock" });
  }

  admit(knockId: string): void {
    this.#answerKnock(knockId, "admit");
  }

  deny(knockId: string): void {
    this.#answerKnock(knockId, "deny");
  }

  removePeer(peerId: string): void {
    if (this.#status.value === "joined") this.#send({ type: "kick", id: peerId });
  }

  #answerKnock(id: string, answer: "admit" | "deny"): void {
    if (this.#status.value !== "joined") return;
    this.#send({ type: answer, id });
    // Everyone's prompt goes when the room reports knock-ended; ours goes now so it cannot be answered twice.
    this.#dropKnock(id);
  }

  #handle(message: ServerMessage): void {
    if (this.#held && NEEDS_MEDIA.has(message.type)) {
      this.#held.push(message);
      return;
    }
    switch (message.type) {
      case "welcome":
        void this.#enter(message);
        break;
      case "peer-joined":
        this.#addMember(message.peer);
        break;
      case "peer-left":
        this.#removeMember(message.id);
        break;
      case "signal":
        this.#routeSignal(message.from, message.data);
        break;
      case "ice":
        // Fresh TURN credentials; connections made from now on use them.
        this.#ice = message.ice;
        break;
      case "denied":
        this.#handleDenial(message);
        break;
      case "knock-sent":
        if (this.#status.value === "outside") this.#access.value = { state: "knocking" };
        break;
      case "locked":
        batch(() => {
          this.#lock.value = { by: message.by };
          this.#lockNews.value = { locked: true, by: message.by };
        });
        if (this.#removeAfterLock !== null) {
          this.#send({ type: "kick", id: this.#removeAfterLock });
          this.#removeAfterLock = null;
        }
        break;
      case "unlocked":
        batch(() => {
          this.#lock.value = null;
          this.#lockNews.value = { locked: false, by: message.by };
        });
        break;
      case "knocking":
        // A renewed knock keeps its id (and its place is taken anew, since it starts a fresh wait).
        this.#knocks.value = [
          ...this.#knocks.value.filter((k) => k.id !== message.id),
          { id: message.id, name: message.name },
        ];
        break;
      case "knock-ended":
        this.#dropKnock(message.id);
        break;
      case "key-guessed":
        this.#warnOfGuess(message.failures);
        break;
      case "removed":
        // The socket closes right after; this message is what lets us say who.
        this.#beRemoved(message.by);
        break;
      case "error":
        this.#handleError(message);
        break;
    }
  }

  /** Let in: media now, then the peers (and anything they said while we waited for the camera). */
  async #enter(welcome: Extract<ServerMessage, { type: "welcome" }>): Promise<void> {
    this.#ice = welcome.ice;
    batch(() => {
      this.#selfId.value = welcome.id;
      this.#lock.value = welcome.lock;
      this.#access.value = { state: "in" };
      this.#status.value = "joined";
    });
    this.#held = [];
    const media = await acquireLocalMedia(this.#options.getUserMedia);
    if (this.#status.value !== "joined") {
      // Left (or was removed) while the permission prompt was open.
      stopTracks(media.stream);
      return;
    }
    batch(() => {
      this.#localStream.value = media.stream;
      this.#mediaError.value = media.error;
    });
    const held = this.#held;
    this.#held = null;
    // They heard of us through peer-joined and are offering already; we answer.
    for (const peer of welcome.peers) this.#addMember(peer, { awaitFirstOffer: true });
    for (const message of held) this.#handle(message);
  }

  #handleDenial(message: Extract<ServerMessage, { type: "denied" }>): void {
    if (this.#isOver() || this.#status.value === "joined") return;
    const access = accessAfterDenial(message, this.#now());
    if (access === null) {
      this.#fail("This call is full. Try again when someone leaves.");
      return;
    }
    batch(() => {
      // The socket stays open: the same socket may try a key or knock next.
      this.#status.value = "outside";
      this.#access.value = access;
    });
  }

  #handleError(message: Extract<ServerMessage, { type: "error" }>): void {
    // Most errors are races the room reports and we can shrug off (a signal to a peer who just left).
    console.warn(`natter: the room reported ${message.code}: ${message.message}`);
    const status = this.#status.value;
    if (status === "connecting") {
      // Before the room has answered our join, nothing else will happen: the call has failed.
      this.#fail(message.message);
    } else if (status === "outside" && message.code === "not-locked") {
      // Unlocked while we stood at the door (nobody tells outsiders): just walk in.
      this.#send({ type: "join", name: this.#selfName.value });
    } else if (status === "outside" && this.#access.value.state === "checking-key") {
      this.#access.value = { state: "locked" };
    }
  }

  #warnOfGuess(failures: number): void {
    clearTimeout(this.#guessWarningTimer);
    this.#guessWarning.value = { failures, at: this.#now() };
    this.#guessWarningTimer = setTimeout(() => {
      this.#guessWarning.value = null;
    }, GUESS_WARNING_MS);
  }

  #dropKnock(id: string): void {
    const knocks = this.#knocks.value;
    if (knocks.some((k) => k.id === id)) this.#knocks.value = knocks.filter((k) => k.id !== id);
  }

  #addMember(peer: PeerInfo, { awaitFirstOffer = false }: { awaitFirstOffer?: boolean } = {}): Member | null {
    const selfId = this.#selfId.value;
    if (selfId === null || peer.id === selfId || this.#departed.has(peer.id)) return null;
    const members = this.#members.value;
    const existing = members.get(peer.id);
    if (existing) {
      if (existing.name !== peer.name)
        this.#members.value = new Map(members).set(peer.id, { ...existing, name: peer.name });
      return existing;
    }
    const connection = new PeerConnection({
      selfId,
      peerId: peer.id,
      localStream: this.#localStream.value,
      iceServers: this.#options.iceServers ?? this.#ice?.iceServers,
      iceTransportPolicy: this.#ice?.iceTransportPolicy,
      awaitFirstOffer,
      sendSignal: (data) => this.#send({ type: "signal", to: peer.id, data }),
    });
    const member = { id: peer.id, name: peer.name, connection };
    this.#members.value = new Map(members).set(peer.id, member);
    return member;
  }

  #routeSignal(from: string, data: SignalData): void {
    // The room announces peers before relaying their signals, so an unknown sender is a race we can absorb.
    const member =
      this.#members.value.get(from) ?? this.#addMember({ id: from, name: "Guest" }, { awaitFirstOffer: true });
    void member?.connection.handleSignal(data);
  }

  #removeMember(id: string): void {
    this.#departed.add(id);
    const member = this.#members.value.get(id);
    if (!member) return;
    member.connection.close();
    const members = new Map(this.#members.value);
    members.delete(id);
    this.#members.value = members;
  }

  #send(message: ClientMessage): void {
    this.#signaling?.send(message);
  }

  #isOver(): boolean {
    const status = this.#status.value;
    return status === "left" || status === "error" || status === "removed";
  }

  #beRemoved(by: string | null): void {
    if (this.#isOver()) return;
    batch(() => {
      this.#removedBy.value = by;
      this.#status.value = "removed";
    });
    this.#teardown();
  }

  #fail(reason: string): void {
    if (this.#isOver()) return;
    batch(() => {
      this.#error.value = reason;
      this.#status.value = "error";
    });
    this.#teardown();
  }

  #teardown(): void {
    this.#signaling?.close();
    this.#signaling = null;
    this.#held = null;
    this.#removeAfterLock = null;
    clearTimeout(this.#guessWarningTimer);
    for (const member of this.#members.value.values()) member.connection.close();
    batch(() => {
      this.#members.value = new Map();
      this.#knocks.value = [];
      this.#guessWarning.value = null;
      stopTracks(this.#localStream.value);
      this.#localStream.value = null;
    });
  }
}

/** Starts a call and returns at once; progress shows up in the call's signals. */
export function startCall(options: CallOptions): Call {
  const call = new Call(options);
  call.start();
  return call;
}

function describeClose(code: number, reason: string): string {
  if (code === CloseCode.policyViolation || code === CloseCode.messageTooBig)
    return `The room closed the connection${reason ? `: ${reason}` : "."}`;
  // 1006 is all a browser reports for a socket that never opened or dropped without a close frame.
  return "Lost the connection to the room. Check your network and try again.";
}
