/**
 * One connection to one remote peer (LiveKit's PCTransport, roughly): perfect negotiation, our
 * senders and the peer's stream, composed with its parts — health.ts (watchdog, quality),
 * video-budget.ts (upload share), chat-channel.ts and safety-check.ts (its data channels).
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import type { SignalData } from "../../../common/protocol";
import { CameraPip } from "./camera-pip";
import { ChatChannel } from "./chat-channel";
import { PeerHealth } from "./health";
import type { ConnectionQuality, MediaExpected } from "./quality";
import { receivedLevelDb } from "./received-level";
import { SafetyCheck } from "./safety-check";
import type { SafetyState } from "./safety-exchange";
import { VideoBudget } from "./video-budget";

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
  /** A text frame from the peer's chat channel, unvalidated: the caller checks it (chat-log.ts). */
  onData?: (data: string) => void;
  /**
   * False while our room socket is reconnecting: an ICE restart then would only pile up offers
   * that the peer receives all at once later. Defaults to always true.
   */
  canSignal?: () => boolean;
  now?: () => number;
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
  /** The peer's camera beside its shared screen (camera-pip.ts). */
  readonly remotePip: ReadonlySignal<MediaStream | null>;
  readonly #pip: CameraPip;

  #makingOffer = false;
  /** Our own offer's setLocalDescription while it runs (see handleSignal for why it is awaited). */
  #pendingOffer: Promise<void> | null = null;
  #ignoreOffer = false;
  /** Incoming signals, applied one at a time in arrival order. */
  #inbox: Promise<void> = Promise.resolve();
  /** Set while we wait for the peer's first offer rather than make our own. */
  #firstOfferWait: ReturnType<typeof setTimeout> | undefined;
  #isSettingRemoteAnswerPending = false;
  /** Our sender of each kind, so a new camera or a shared screen replaces the track in place. */
  readonly #senders = new Map<string, RTCRtpSender>();
  readonly #chat: ChatChannel;

  readonly #now: () => number;
  readonly #canSignal: () => boolean;
  /** When we last negotiated, for the ICE watchdog (health.ts). */
  #lastNegotiationAt: number;
  readonly #health: PeerHealth;
  /** How good the link to this peer is; null until there is something to measure (health.ts). */
  readonly quality: ReadonlySignal<ConnectionQuality | null>;
  /** How loud the peer is now, from the audio we receive (received-level.ts). */
  readonly audioLevel = (): number | null => receivedLevelDb(this.#pc);
  /**
   * The safety code of this connection: waiting until DTLS is up and both ends have committed
   * and revealed (safety-check.ts), then the code, or failed if the exchange broke its rules.
   * One exchange per connection: a peer with a new certificate is a new connection (see
   * isFromAnotherConnection), with a new exchange and new nonces.
   */
  readonly safetyCode: ReadonlySignal<SafetyState>;
  readonly #safety: SafetyCheck;
  /** Our share of the upload to this peer (video-budget.ts). */
  readonly #budget: VideoBudget;

  constructor(options: PeerConnectionOptions) {
    this.peerId = options.peerId;
    this.polite = isPolite(options.selfId, options.peerId);
    this.#sendSignal = options.sendSignal;
    this.#now = options.now ?? Date.now;
    this.#canSignal = options.canSignal ?? (() => true);
    this.#lastNegotiationAt = this.#now();
    // Looked up at construction (not import) time so anything that wraps the global, like the e2e recorder, sees us.
    this.#pc = new RTCPeerConnection({
      iceServers: options.iceServers ?? DEFAULT_ICE_SERVERS,
      iceTransportPolicy: options.iceTransportPolicy ?? "all",
      // Both ends are natter, so audio, video and chat always share one transport: gathering and
      // checking candidates for one instead of one per kind ("balanced") connects sooner.
      bundlePolicy: "max-bundle",
    });
    this.#pip = new CameraPip(this.#pc);
    this.remotePip = this.#pip.remote;
    this.#budget = new VideoBudget({
      pc: this.#pc,
      pipSender: () => this.#pip.sender,
      settled: () => this.#inbox,
      negotiated: () => this.#negotiated(),
      sendsVideo: () => this.#senders.has("video"),
      now: this.#now,
    });

    if (options.awaitFirstOffer) {
      this.#firstOfferWait = setTimeout(() => {
        this.#firstOfferWait = undefined;
        void this.#negotiate();
      }, FIRST_OFFER_WAIT_MS);
    }
    this.#pc.onnegotiationneeded = () => {
      // While waiting, the peer's offer will carry our tracks in its answer; no offer of our own is needed.
      // While making one (the first, see the end of the constructor), the browser asks again if it still lacks something.
      if (this.#firstOfferWait === undefined && !this.#makingOffer) void this.#negotiate();
    };
    // A null candidate means gathering finished; it is relayed like any other, as the pattern does.
    this.#pc.onicecandidate = ({ candidate }) => this.#sendSignal({ candidate: candidate && candidateInit(candidate) });
    this.#pc.oniceconnectionstatechange = () => this.#health.iceStateChanged();
    this.#pc.onsignalingstatechange = () => {
      // A negotiation can add senders (a screen) or reset encodings: the budget applies to the result.
      if (this.#pc.signalingState === "stable") this.#budget.apply();
    };
    this.#health = new PeerHealth({
      pc: this.#pc,
      polite: this.polite,
      now: this.#now,
      mayRestart: () => this.#firstOfferWait === undefined && this.#canSignal(),
      lastNegotiationAt: () => this.#lastNegotiationAt,
      restartIce: () => this.#restartIce(),
      measured: (report) => {
        void this.#safety.checkCertificates();
        this.#budget.measure(report);
      },
      // setTrack swaps tracks without a negotiation (a screen for the camera), and a screen must
      // not keep the camera's lower resolution: re-applying is a no-op when nothing changed.
      polled: () => this.#budget.apply(),
    });
    this.quality = this.#health.quality;
    this.#pc.ontrack = ({ track, transceiver }) => {
      if (this.#pip.received(track, transceiver)) return;
      this.#replaceTracks((tracks) => [...tracks.filter((t) => t.id !== track.id), track]);
      track.addEventListener("ended", () => this.#replaceTracks((tracks) => tracks.filter((t) => t !== track)));
    };

    const local = options.localStream;
    if (local && local.getTracks().length > 0) {
      for (const track of local.getTracks()) this.#senders.set(track.kind, this.#pc.addTrack(track, local));
    } else {
      // Without a track of our own there would be nothing to negotiate and no offer; ask to receive both kinds.
      this.#pc.addTransceiver("audio", { direction: "recvonly" });
      this.#pc.addTransceiver("video", { direction: "recvonly" });
    }

    this.#chat = new ChatChannel(this.#pc, options.onData);
    this.#safety = new SafetyCheck(this.#pc);
    this.safetyCode = this.#safety.state;

    if (!options.awaitFirstOffer) {
      // Offer at once rather than on negotiationneeded, which is a task away: by then the page has
      // rendered the newcomer's tile, and the offer would wait for that. A microtask still lets the
      // caller finish setting our tracks, so the one offer carries them all.
      queueMicrotask(() => {
        if (this.#pc.signalingState === "stable" && !this.#makingOffer) void this.#negotiate();
      });
    }
  }

  /**
   * Sends `track` as our `kind` from now on. An existing sender swaps it with replaceTrack, which
   * needs no renegotiation (a new camera, a shared screen in place of the camera); only the first
   * track of a kind is added, and perfect negotiation carries that offer.
   */
  setTrack(kind: "audio" | "video", track: MediaStreamTrack | null, stream: MediaStream | null): void {
    if (this.#pc.signalingState === "closed") return;
    const sender = this.#senders.get(kind);
    if (sender) {
      if (sender.track !== track)
        sender.replaceTrack(track).catch((error: unknown) => console.warn("natter: could not switch a track", error));
      return;
    }
    if (track) this.#senders.set(kind, stream ? this.#pc.addTrack(track, stream) : this.#pc.addTrack(track));
  }

  /** Sends `track` as our camera beside a shared screen; null stops it (camera-pip.ts). */
  setPip(track: MediaStreamTrack | null, stream: MediaStream | null): void {
    this.#pip.send(track, stream);
    this.#budget.apply();
  }

  /** Sends a chat frame (chat-channel.ts). */
  sendData(text: string): void {
    this.#chat.send(text);
  }

  async #negotiate(): Promise<void> {
    try {
      this.#makingOffer = true;
      this.#lastNegotiationAt = this.#now();
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
        if (description.type === "offer") {
          this.#stopWaitingForFirstOffer();
          this.#lastNegotiationAt = this.#now();
        }

        // An answer with no offer of ours pending answers an offer we sent twice (see #restartIce).
        if (description.type === "answer" && this.#pc.signalingState === "stable") return;
        this.#ignoreOffer = !this.polite && offerCollision;
        if (this.#ignoreOffer) return;
        // The Chromium rollback bug (FIRST_OFFER_WAIT_MS) is likeliest while our offer's
        // setLocalDescription still runs; letting it finish first makes the rare later glare safer.
        if (offerCollision) await this.#pendingOffer?.catch(() => {});

        this.#isSettingRemoteAnswerPending = description.type === "answer";
        // On the polite side a colliding offer rolls back our own offer implicitly.
        await this.#pc.setRemoteDescription(this.#budget.bound(description));
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

  /** New TURN credentials from the room (`ice`): used from the next gathering on, e.g. an ICE restart. */
  setIceServers(iceServers: RTCIceServer[]): void {
    try {
      this.#pc.setConfiguration({ ...this.#pc.getConfiguration(), iceServers });
    } catch (error) {
      console.warn("natter: could not update the ICE servers of a connection", error);
    }
  }

  /**
   * The peer's room socket came back (it resumed): an offer we sent while it was away never
   * reached it, and without an answer this connection would wait forever. Our current local
   * description carries every candidate gathered so far, so sending it again is enough.
   */
  peerReturned(): void {
    if (this.#pc.signalingState === "have-local-offer" && !this.#makingOffer) this.#sendDescription();
  }

  /**
   * Whether an offer comes from a different RTCPeerConnection than the one we talk to: the peer
   * dropped us (we were gone too long, or it timed out) and started over. Every connection has
   * its own DTLS certificate, so the fingerprint tells them apart without any extra message.
   */
  isFromAnotherConnection(data: SignalData): boolean {
    if (!("description" in data) || data.description.type !== "offer") return false;
    const current = dtlsFingerprint((this.#pc.currentRemoteDescription ?? this.#pc.remoteDescription)?.sdp);
    const offered = dtlsFingerprint(data.description.sdp);
    return current !== null && offered !== null && current !== offered;
  }

  /**
   * What the peer said it sends: with its camera off a black trickle of frames is no sign of a bad
   * link, and with camera and microphone off silence is no outage.
   */
  expectMedia(expected: MediaExpected): void {
    this.#health.expectMedia(expected);
  }

  /** Caps our video to this peer for a call in which we send to `peers` people (see bitrate.ts). */
  setVideoBudget(peers: number): void {
    this.#budget.setPeers(peers);
  }

  /** Negotiated at least once and not negotiating now: when the senders' parameters can be set. */
  #negotiated(): boolean {
    return this.#pc.signalingState === "stable" && !this.#makingOffer && this.#pc.currentRemoteDescription !== null;
  }

  /**
   * Restarts ICE through the perfect-negotiation machinery: restartIce() marks the connection as
   * needing negotiation, and onnegotiationneeded makes the offer with fresh ICE credentials.
   *
   * An offer still unanswered is sent again instead, never taken back: the answer may only be
   * slow (a busy machine, a congested link), and an answer that arrives after its offer was rolled
   * back and replaced breaks the connection for good (m-line order, DTLS roles). The same offer
   * twice is harmless: a peer that already answered it answers again, and we drop the stale copy.
   */
  #restartIce(): void {
    if (this.#makingOffer) return;
    this.#lastNegotiationAt = this.#now();
    const state = this.#pc.signalingState;
    if (state === "have-local-offer") {
      console.warn(`natter: offering again to a peer that has not answered (ICE ${this.#pc.iceConnectionState})`);
      this.#sendDescription();
      return;
    }
    // In the middle of answering the peer's offer, that negotiation is already the repair.
    if (state !== "stable") return;
    console.warn(`natter: restarting ICE with a peer (ICE ${this.#pc.iceConnectionState})`);
    this.#pc.restartIce();
  }

  close(): void {
    this.#chat.close();
    this.#safety.close();
    this.#stopWaitingForFirstOffer();
    this.#health.close();
    this.#pc.onnegotiationneeded = null;
    this.#pc.onicecandidate = null;
    this.#pc.oniceconnectionstatechange = null;
    this.#pc.onsignalingstatechange = null;
    this.#pc.ontrack = null;
    this.#pc.close();
  }
}

/** The `a=fingerprint` of an SDP (session or first media level: a bundle shares one), or null. */
export function dtlsFingerprint(sdp: string | undefined): string | null {
  const match = sdp?.match(/^a=fingerprint:\s*(.+?)\s*$/m);
  return match?.[1] ? match[1].toLowerCase() : null;
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
