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
  /** Delivers signaling data to this peer only (the room relays it). */
  sendSignal(data: SignalData): void;
}

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
 * instead of by who joined first. The names follow the spec's example so it can be compared line by line.
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
  #ignoreOffer = false;
  #isSettingRemoteAnswerPending = false;

  constructor(options: PeerConnectionOptions) {
    this.peerId = options.peerId;
    this.polite = isPolite(options.selfId, options.peerId);
    this.#sendSignal = options.sendSignal;
    // Looked up at construction (not import) time so anything that wraps the global, like the e2e recorder, sees us.
    this.#pc = new RTCPeerConnection({ iceServers: options.iceServers ?? DEFAULT_ICE_SERVERS });

    this.#pc.onnegotiationneeded = () => void this.#negotiate();
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
      await this.#pc.setLocalDescription();
      this.#sendDescription();
    } catch (error) {
      console.error("natter: could not make an offer", error);
    } finally {
      this.#makingOffer = false;
    }
  }

  /** Applies one message from this peer. Never rejects: a failure is logged and the next negotiation repairs it. */
  async handleSignal(data: SignalData): Promise<void> {
    try {
      if ("description" in data) {
        const description = data.description;
        const readyForOffer =
          !this.#makingOffer && (this.#pc.signalingState === "stable" || this.#isSettingRemoteAnswerPending);
        const offerCollision = description.type === "offer" && !readyForOffer;

        this.#ignoreOffer = !this.polite && offerCollision;
        if (this.#ignoreOffer) return;

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

  #replaceTracks(change: (tracks: MediaStreamTrack[]) => MediaStreamTrack[]): void {
    const tracks = change(this.#remoteStream.value?.getTracks() ?? []);
    this.#remoteStream.value = tracks.length > 0 ? new MediaStream(tracks) : null;
  }

  #sendDescription(): void {
    const description = this.#pc.localDescription;
    if (description) this.#sendSignal({ description: { type: description.type, sdp: description.sdp } });
  }

  close(): void {
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
