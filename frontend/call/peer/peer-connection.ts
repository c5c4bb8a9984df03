/**
 * One connection to one remote peer (LiveKit's PCTransport, roughly): our senders and the peer's
 * stream, composed with its parts — negotiation.ts (perfect negotiation), health.ts (watchdog,
 * quality), video-budget.ts (upload share), chat-channel.ts and safety-check.ts (its data channels).
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import type { SignalData } from "../../../common/protocol";
import { CameraPip } from "./camera-pip";
import { ChatChannel } from "./chat-channel";
import { receiverDecodes } from "./decoded-media";
import { PeerHealth } from "./health";
import { isPolite, Negotiation } from "./negotiation";
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
   * the first offer, so we answer instead of offering at the same time (negotiation.ts FIRST_OFFER_WAIT_MS).
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

/** One RTCPeerConnection to one remote peer, negotiated with the W3C/MDN "perfect negotiation" pattern (negotiation.ts). */
export class PeerConnection {
  readonly peerId: string;
  readonly polite: boolean;
  readonly #pc: RTCPeerConnection;
  readonly #remoteStream = signal<MediaStream | null>(null);
  /** Everything the peer sends; null until the first track arrives. A new object per change so views re-attach it. */
  readonly remoteStream: ReadonlySignal<MediaStream | null> = this.#remoteStream;
  /** The peer's camera beside its shared screen (camera-pip.ts). */
  readonly remotePip: ReadonlySignal<MediaStream | null>;
  readonly #pip: CameraPip;

  readonly #negotiation: Negotiation;
  /** Our sender of each kind, so a new camera or a shared screen replaces the track in place. */
  readonly #senders = new Map<string, RTCRtpSender>();
  readonly #chat: ChatChannel;

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
    const now = options.now ?? Date.now;
    const canSignal = options.canSignal ?? (() => true);
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
      settled: () => this.#negotiation.settled(),
      negotiated: () => this.#negotiation.negotiated(),
      sendsVideo: () => this.#senders.has("video"),
      now,
    });

    this.#negotiation = new Negotiation({
      pc: this.#pc,
      polite: this.polite,
      now,
      awaitFirstOffer: options.awaitFirstOffer ?? false,
      sendSignal: options.sendSignal,
      bound: (description) => this.#budget.bound(description),
    });
    this.#pc.oniceconnectionstatechange = () => this.#health.iceStateChanged();
    this.#pc.onsignalingstatechange = () => {
      // A negotiation can add senders (a screen) or reset encodings: the budget applies to the result.
      if (this.#pc.signalingState === "stable") this.#budget.apply();
    };
    this.#health = new PeerHealth({
      pc: this.#pc,
      polite: this.polite,
      now,
      mayRestart: () => !this.#negotiation.waitingForFirstOffer && canSignal(),
      lastNegotiationAt: () => this.#negotiation.lastNegotiationAt,
      restartIce: () => this.#negotiation.restartIce(),
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

    if (!options.awaitFirstOffer) this.#negotiation.offerSoon();
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

  /** Whether this connection has decoded the peer's video (or, with `video` false, its sound) yet. */
  async decodes(video: boolean): Promise<boolean> {
    const kind = video ? "video" : "audio";
    const receiver = this.#pc.getReceivers().find((r) => r.track.kind === kind && r.track.readyState === "live");
    return receiver ? receiverDecodes(receiver) : false;
  }

  /** Sends a chat frame (chat-channel.ts). */
  sendData(text: string): void {
    this.#chat.send(text);
  }

  /** Applies one message from this peer, in arrival order (negotiation.ts). Never rejects. */
  handleSignal(data: SignalData): Promise<void> {
    return this.#negotiation.handleSignal(data);
  }

  #replaceTracks(change: (tracks: MediaStreamTrack[]) => MediaStreamTrack[]): void {
    const tracks = change(this.#remoteStream.value?.getTracks() ?? []);
    this.#remoteStream.value = tracks.length > 0 ? new MediaStream(tracks) : null;
  }

  /** New TURN credentials from the room (`ice`): used from the next gathering on, e.g. an ICE restart. */
  setIceServers(iceServers: RTCIceServer[]): void {
    try {
      this.#pc.setConfiguration({ ...this.#pc.getConfiguration(), iceServers });
    } catch (error) {
      console.warn("natter: could not update the ICE servers of a connection", error);
    }
  }

  /** The peer's room socket came back (it resumed): an offer it missed is sent again (negotiation.ts). */
  peerReturned(): void {
    this.#negotiation.peerReturned();
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

  close(): void {
    this.#chat.close();
    this.#safety.close();
    this.#negotiation.close();
    this.#health.close();
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
