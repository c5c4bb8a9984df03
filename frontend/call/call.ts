import { computed, type ReadonlySignal, type Signal, signal } from "@preact/signals-core";
import {
  CloseCode,
  type DeniedReason,
  type PeerInfo,
  type ServerMessage,
  type SignalData,
} from "../../durable-objects/protocol";
import { acquireLocalMedia, type GetUserMedia, stopTracks } from "./media";
import { PeerConnection } from "./peer-connection";
import { roomSocketUrl, Signaling, type SignalingOptions } from "./signaling";

export type CallStatus = "connecting" | "joined" | "left" | "error";

export interface Peer {
  readonly id: string;
  readonly name: string;
  /** Null until the first remote track arrives. */
  readonly stream: MediaStream | null;
}

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
}

export interface CallOptions {
  room: string;
  name: string;
  iceServers?: RTCIceServer[];
  /** Defaults to the room's WebSocket on the host that served the page. */
  url?: string;
  /** Defaults to the browser's; null means there is no way to capture media. */
  getUserMedia?: GetUserMedia | null;
  signaling?: SignalingOptions;
}

interface Member {
  id: string;
  name: string;
  connection: PeerConnection;
}

/**
 * A call in one room: local media, the room's signaling socket, and one peer connection per
 * other member. Framework-free so that any view (or a test) can drive it through its signals.
 */
export class Call implements CallState {
  readonly #status = signal<CallStatus>("connecting");
  readonly #selfId = signal<string | null>(null);
  readonly #selfName: Signal<string>;
  readonly #localStream = signal<MediaStream | null>(null);
  readonly #members = signal<ReadonlyMap<string, Member>>(new Map());
  readonly #mediaError = signal<string | null>(null);
  readonly #error = signal<string | null>(null);

  readonly status: ReadonlySignal<CallStatus> = this.#status;
  readonly selfId: ReadonlySignal<string | null> = this.#selfId;
  readonly selfName: ReadonlySignal<string>;
  readonly localStream: ReadonlySignal<MediaStream | null> = this.#localStream;
  readonly mediaError: ReadonlySignal<string | null> = this.#mediaError;
  readonly error: ReadonlySignal<string | null> = this.#error;
  readonly peers: ReadonlySignal<readonly Peer[]> = computed(() =>
    [...this.#members.value.values()].map((m) => ({ id: m.id, name: m.name, stream: m.connection.remoteStream.value })),
  );

  readonly #options: CallOptions;
  #signaling: Signaling | null = null;
  /** Ids that said goodbye: a late signal from one of them must not resurrect its tile. */
  readonly #departed = new Set<string>();

  constructor(options: CallOptions) {
    this.#options = options;
    this.#selfName = signal(options.name);
    this.selfName = this.#selfName;
  }

  /** Media first, then the room: peers we meet should get our tracks in their very first offer. */
  async start(): Promise<void> {
    const media = await acquireLocalMedia(this.#options.getUserMedia);
    if (this.#status.value === "left") {
      // Left while the permission prompt was open.
      stopTracks(media.stream);
      return;
    }
    this.#localStream.value = media.stream;
    this.#mediaError.value = media.error;

    try {
      this.#signaling = new Signaling(
        this.#options.url ?? roomSocketUrl(this.#options.room),
        {
          open: () => this.#signaling?.send({ type: "join", name: this.#selfName.value }),
          message: (message) => this.#handle(message),
          closed: ({ code, reason }) => this.#fail(describeClose(code, reason)),
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
    if (this.#status.value === "left") return;
    this.#status.value = "left";
    this.#teardown();
  }

  #handle(message: ServerMessage): void {
    switch (message.type) {
      case "welcome":
        this.#selfId.value = message.id;
        this.#status.value = "joined";
        for (const peer of message.peers) this.#addMember(peer);
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
      case "denied":
        this.#fail(describeDenied(message.reason, message.retryAfterMs));
        break;
      case "removed":
        // The socket closes right after; this message is what lets us say who and why.
        this.#fail(`${message.by} removed you from the call.`);
        break;
      case "locked":
      case "unlocked":
      case "knock-sent":
      case "knocking":
      case "knock-ended":
      case "key-guessed":
        // Room locking and knocking have no UI yet; the call itself is unaffected by them.
        break;
      case "error":
        // Most errors are races the room reports and we can shrug off (a signal to a peer who just left);
        // before we are in, though, nothing else will happen, so the call has failed.
        console.warn(`natter: the room reported ${message.code}: ${message.message}`);
        if (this.#status.value === "connecting") this.#fail(message.message);
        break;
    }
  }

  #addMember(peer: PeerInfo): Member | null {
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
      iceServers: this.#options.iceServers,
      sendSignal: (data) => this.#signaling?.send({ type: "signal", to: peer.id, data }),
    });
    const member = { id: peer.id, name: peer.name, connection };
    this.#members.value = new Map(members).set(peer.id, member);
    return member;
  }

  #routeSignal(from: string, data: SignalData): void {
    // The room announces peers before relaying their signals, so an unknown sender is a race we can absorb.
    const member = this.#members.value.get(from) ?? this.#addMember({ id: from, name: "Guest" });
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

  #fail(reason: string): void {
    if (this.#status.value === "left" || this.#status.value === "error") return;
    this.#error.value = reason;
    this.#status.value = "error";
    this.#teardown();
  }

  #teardown(): void {
    this.#signaling?.close();
    this.#signaling = null;
    for (const member of this.#members.value.values()) member.connection.close();
    this.#members.value = new Map();
    stopTracks(this.#localStream.value);
    this.#localStream.value = null;
  }
}

/** Starts a call and returns at once; progress shows up in the call's signals. */
export function startCall(options: CallOptions): Call {
  const call = new Call(options);
  void call.start();
  return call;
}

function describeClose(code: number, reason: string): string {
  if (code === CloseCode.removed) return "You were removed from the call.";
  if (code === CloseCode.policyViolation || code === CloseCode.messageTooBig)
    return `The room closed the connection${reason ? `: ${reason}` : "."}`;
  // 1006 is all a browser reports for a socket that never opened or dropped without a close frame.
  return "Lost the connection to the room. Check your network and try again.";
}

function describeDenied(reason: DeniedReason, retryAfterMs: number | undefined): string {
  switch (reason) {
    case "locked":
      return "This room is locked. Someone inside has to let you in.";
    case "wrong-key":
      return "That key does not open this room.";
    case "throttled": {
      const seconds = Math.ceil((retryAfterMs ?? 0) / 1000);
      return seconds > 0
        ? `Too many tries. Wait ${seconds} s and try again.`
        : "Too many tries. Wait a moment and try again.";
    }
    case "knock-declined":
      return "The people in this room did not let you in.";
    case "knock-lapsed":
      return "Nobody answered your knock.";
    case "too-many-knocks":
      return "Too many people are knocking on this room right now. Try again later.";
  }
}
