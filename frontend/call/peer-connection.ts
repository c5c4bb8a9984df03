import { type ReadonlySignal, signal } from "@preact/signals-core";
import type { SignalData } from "../../durable-objects/protocol";

/** Cloudflare's public STUN server; enough for most home networks. A later issue gets TURN from the room. */
export const DEFAULT_ICE_SERVERS: RTCIceServer[] = [{ urls: "stun:stun.cloudflare.com:3478" }];

export interface PeerConnectionOptions {
  selfId: string;
  peerId: string;
  /** What we send; null (no camera or microphone) still receives everything the peer sends. */
  localStream: MediaStream | null;
  iceServers?: RTCIceServer[];
  /** "relay" when the room wants every call through TURN. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * True when the peer was in the room before us: it heard that we joined and is already making
   * the first offer, so we answer instead of offering at the same time (see FIRST_OFFER_WAIT_MS).
   */
  awaitFirstOffer?: boolean;
  /** Delivers signaling data to this peer only (the room relays it). */
  sendSignal(data: SignalData): void;
}

/**
 * How long a newcomer waits for the first offer before making one itself (in case it was lost).
 *
 * Perfect negotiation resolves two offers at once ("glare") by rolling one back, but Chromium has
 * a bug there: rolling back an offer made a moment earlier can leave the answer with no ICE
 * candidates at all, ever, and the call never connects. Joining is when glare is nearly certain
 * (everyone inside offers to the newcomer as the newcomer offers to everyone), so the newcomer
 * lets the others go first instead.
 */
export const FIRST_OFFER_WAIT_MS = 5_000;

/**
 * The polite side yields when both offer at once. Both ends compute the same answer from
 * the two ids, so exactly one of them is polite without any extra messages.
 */
export function isPolite(selfId: string, peerId: string): boolean {
  return selfId < peerId;
}

/**
 * One RTCPeerConnection to one remote peer, negotiated with the W3C/MDN "perfect negotiation"
 * pattern: either side may (re)negotiate at any time, and offer glare is resolved by the roles
 * instead of by who joined first (only the very first offer goes to whoever was there first).
 * The names follow the spec's example so it can be compared line by line.
 */
export class PeerConnection {
  readonly peerId: string;
  readonly polite: boolean;
  readonly #pc: RTCPeerConnection;
  readonly #sendSignal: (data: SignalData) => void;
  readonly #remoteStream = signal<MediaStream | null>(null);
  /** Everything the peer sends; null until the first track arrives. A new object per change so views re-attach it. */
  readonly remoteStream: ReadonlySignal<MediaStream | null> = this.#remoteStream;

  #makingOffer = false;
  /** Our own offer's setLocalDescription while it runs (see handleSignal for why it is awaited). */
  #pendingOffer: Promise<void> | null = null;
  #ignoreOffer = false;
  /** Incoming signals, applied one at a time in arrival order. */
  #inbox: Promise<void> = Promise.resolve();
  /** Set while we wait for the peer's first offer rather than make our own. */
  #firstOfferWait: ReturnType<typeof setTimeout> | undefined;
  #isSettingRemoteAnswerPending = false;

  constructor(options: PeerConnectionOptions) {
    this.peerId = options.peerId;
    this.polite = isPolite(options.selfId, options.peerId);
    this.#sendSignal = options.sendSignal;
    // Looked up at construction (not import) time so anything that wraps the global, like the e2e recorder, sees us.
    this.#pc = new RTCPeerConnection({
      iceServers: options.iceServers ?? DEFAULT_ICE_SERVERS,
      iceTransportPolicy: options.iceTransportPolicy ?? "all",
    });

    if (options.awaitFirstOffer) {
      this.#firstOfferWait = setTimeout(() => {
        this.#firstOfferWait = undefined;
        void this.#negotiate();
      }, FIRST_OFFER_WAIT_MS);
    }
    this.#pc.onnegotiationneeded = () => {
      // While waiting, the peer's offer will carry our tracks in its answer; no offer of our own is needed.
      if (this.#firstOfferWait === undefined) void this.#negotiate();
    };
    // A null candidate means gathering finished; it is relayed like any other, as the pattern does.
    this.#pc.onicecandidate = ({ candidate }) => this.#sendSignal({ candidate: candidate && candidateInit(candidate) });
    this.#pc.oniceconnectionstatechange = () => {
      // A network change (Wi-Fi to cellular) fails ICE; restarting renegotiates through onnegotiationneeded.
      if (this.#pc.iceConnectionState === "failed") this.#pc.restartIce();
    };
    this.#pc.ontrack = ({ track }) => {
      this.#replaceTracks((tracks) => [...tracks.filter((t) => t.id !== track.id), track]);
      track.addEventListener("ended", () => this.#replaceTracks((tracks) => tracks.filter((t) => t !== track)));
    };

    const local = options.localStream;
    if (local && local.getTracks().length > 0) {
      for (const track of local.getTracks()) this.#pc.addTrack(track, local);
    } else {
      // Without a track of our own there would be nothing to negotiate and no offer; ask to receive both kinds.
      this.#pc.addTransceiver("audio", { direction: "recvonly" });
      this.#pc.addTransceiver("video", { direction: "recvonly" });
    }
  }

  async #negotiate(): Promise<void> {
    try {
      this.#makingOffer = true;
      this.#pendingOffer = this.#pc.setLocalDescription();
      await this.#pendingOffer;
      this.#sendDescription();
    } catch (error) {
      console.error("natter: could not make an offer", error);
    } finally {
      this.#makingOffer = false;
      this.#pendingOffer = null;
    }
  }

  /**
   * Applies one message from this peer. Never rejects: a failure is logged and the next negotiation
   * repairs it. Messages wait for the ones before them, so an offer's candidates never overtake it
   * while it waits for our own offer (below).
   */
  handleSignal(data: SignalData): Promise<void> {
    const applied = this.#inbox.then(() => this.#applySignal(data));
    this.#inbox = applied;
    return applied;
  }

  async #applySignal(data: SignalData): Promise<void> {
    try {
      if ("description" in data) {
        const description = data.description;
        const readyForOffer =
          !this.#makingOffer && (this.#pc.signalingState === "stable" || this.#isSettingRemoteAnswerPending);
        const offerCollision = description.type === "offer" && !readyForOffer;
        if (description.type === "offer") this.#stopWaitingForFirstOffer();

        this.#ignoreOffer = !this.polite && offerCollision;
        if (this.#ignoreOffer) return;
        // The Chromium rollback bug (FIRST_OFFER_WAIT_MS) is likeliest while our offer's
        // setLocalDescription still runs; letting it finish first makes the rare later glare safer.
        if (offerCollision) await this.#pendingOffer?.catch(() => {});

        this.#isSettingRemoteAnswerPending = description.type === "answer";
        // On the polite side a colliding offer rolls back our own offer implicitly.
        await this.#pc.setRemoteDescription(description);
        this.#isSettingRemoteAnswerPending = false;
        if (description.type === "offer") {
          await this.#pc.setLocalDescription();
          this.#sendDescription();
        }
      } else if (data.candidate) {
        try {
          await this.#pc.addIceCandidate(data.candidate);
        } catch (error) {
          // Candidates for an offer we ignored are expected to fail.
          if (!this.#ignoreOffer) throw error;
        }
      }
    } catch (error) {
      console.error("natter: signaling with a peer failed", error);
    }
  }

  #stopWaitingForFirstOffer(): void {
    clearTimeout(this.#firstOfferWait);
    this.#firstOfferWait = undefined;
  }

  #replaceTracks(change: (tracks: MediaStreamTrack[]) => MediaStreamTrack[]): void {
    const tracks = change(this.#remoteStream.value?.getTracks() ?? []);
    this.#remoteStream.value = tracks.length > 0 ? new MediaStream(tracks) : null;
  }

  #sendDescription(): void {
    const description = this.#pc.localDescription;
    if (description) this.#sendSignal({ description: { type: description.type, sdp: description.sdp } });
  }

  close(): void {
    this.#stopWaitingForFirstOffer();
    this.#pc.onnegotiationneeded = null;
    this.#pc.onicecandidate = null;
    this.#pc.oniceconnectionstatechange = null;
    this.#pc.ontrack = null;
    this.#pc.close();
  }
}

/** The fields the protocol carries; spelled out because RTCIceCandidate.toJSON() types them all as optional. */
function candidateInit(candidate: RTCIceCandidate): Extract<SignalData, { candidate: unknown }>["candidate"] {
  return {
    candidate: candidate.candidate,
    sdpMid: candidate.sdpMid,
    sdpMLineIndex: candidate.sdpMLineIndex,
    usernameFragment: candidate.usernameFragment,
  };
}
