/**
 * Perfect negotiation for one connection, as in the W3C/MDN example: either side may
 * (re)negotiate at any time, and offer glare is resolved by the roles instead of by who joined
 * first (only the very first offer goes to whoever was there first). The names follow the spec's
 * example so it can be compared line by line. Split from peer-connection.ts, which owns the
 * connection and its other parts (senders, streams, health, budget, channels): this module holds
 * only the offer/answer state machine and the signals that carry it.
 */
import type { SignalData } from "../../../common/protocol";

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

export interface NegotiationOptions {
  pc: RTCPeerConnection;
  polite: boolean;
  now: () => number;
  /** Wait for the peer's first offer instead of making one (see FIRST_OFFER_WAIT_MS). */
  awaitFirstOffer: boolean;
  /** Delivers signaling data to this peer only (the room relays it). */
  sendSignal(data: SignalData): void;
  /** The remote description as we apply it: bounded to our upload share (video-budget.ts). */
  bound(description: RTCSessionDescriptionInit): RTCSessionDescriptionInit;
}

export class Negotiation {
  readonly #pc: RTCPeerConnection;
  readonly #polite: boolean;
  readonly #now: () => number;
  readonly #sendSignal: (data: SignalData) => void;
  readonly #bound: (description: RTCSessionDescriptionInit) => RTCSessionDescriptionInit;

  #makingOffer = false;
  /** Our own offer's setLocalDescription while it runs (see handleSignal for why it is awaited). */
  #pendingOffer: Promise<void> | null = null;
  #ignoreOffer = false;
  /** Incoming signals, applied one at a time in arrival order. */
  #inbox: Promise<void> = Promise.resolve();
  /** Set while we wait for the peer's first offer rather than make our own. */
  #firstOfferWait: ReturnType<typeof setTimeout> | undefined;
  #isSettingRemoteAnswerPending = false;
  /** When we last negotiated, for the ICE watchdog (health.ts). */
  #lastNegotiationAt: number;

  constructor(options: NegotiationOptions) {
    this.#pc = options.pc;
    this.#polite = options.polite;
    this.#now = options.now;
    this.#sendSignal = options.sendSignal;
    this.#bound = options.bound;
    this.#lastNegotiationAt = this.#now();
    if (options.awaitFirstOffer) {
      this.#firstOfferWait = setTimeout(() => {
        this.#firstOfferWait = undefined;
        void this.#negotiate();
      }, FIRST_OFFER_WAIT_MS);
    }
    this.#pc.onnegotiationneeded = () => {
      // While waiting, the peer's offer will carry our tracks in its answer; no offer of our own is needed.
      // While making one (the first, see offerSoon), the browser asks again if it still lacks something.
      if (this.#firstOfferWait === undefined && !this.#makingOffer) void this.#negotiate();
    };
    // A null candidate means gathering finished; it is relayed like any other, as the pattern does.
    this.#pc.onicecandidate = ({ candidate }) => this.#sendSignal({ candidate: candidate && candidateInit(candidate) });
  }

  /** Whether we still wait for the peer's first offer (no ICE restart meanwhile: there is nothing to restart). */
  get waitingForFirstOffer(): boolean {
    return this.#firstOfferWait !== undefined;
  }

  get lastNegotiationAt(): number {
    return this.#lastNegotiationAt;
  }

  /** Settles once every signal received so far has been applied (candidates: handed to the connection). */
  settled(): Promise<void> {
    return this.#inbox;
  }

  /**
   * Offer at once rather than on negotiationneeded, which is a task away: by then the page has
   * rendered the newcomer's tile, and the offer would wait for that. A microtask still lets the
   * caller finish setting our tracks, so the one offer carries them all.
   */
  offerSoon(): void {
    queueMicrotask(() => {
      if (this.#pc.signalingState === "stable" && !this.#makingOffer) void this.#negotiate();
    });
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
   * while it waits for our own offer (below); a candidate is only handed over, not waited for.
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
          this.stopWaitingForFirstOffer();
          this.#lastNegotiationAt = this.#now();
        }

        // An answer with no offer of ours pending answers an offer we sent twice (see restartIce).
        if (description.type === "answer" && this.#pc.signalingState === "stable") return;
        this.#ignoreOffer = !this.#polite && offerCollision;
        if (this.#ignoreOffer) return;
        // The Chromium rollback bug (FIRST_OFFER_WAIT_MS) is likeliest while our offer's
        // setLocalDescription still runs; letting it finish first makes the rare later glare safer.
        if (offerCollision) await this.#pendingOffer?.catch(() => {});

        this.#isSettingRemoteAnswerPending = description.type === "answer";
        // On the polite side a colliding offer rolls back our own offer implicitly.
        await this.#pc.setRemoteDescription(this.#bound(description));
        this.#isSettingRemoteAnswerPending = false;
        if (description.type === "offer") {
          await this.#pc.setLocalDescription();
          this.#sendDescription();
        }
      } else if ("candidate" in data && data.candidate) {
        // Handed over without waiting for it to be applied: the connection applies candidates and
        // descriptions in the order they are handed over (the spec's operations chain), and the
        // peer's first candidates, queued behind its offer, otherwise reached ICE one round trip
        // to the WebRTC thread after another once we had answered, before any check could start.
        this.#pc.addIceCandidate(data.candidate).catch((error: unknown) => {
          // Candidates for an offer we ignored are expected to fail.
          if (!this.#ignoreOffer) console.error("natter: signaling with a peer failed", error);
        });
      }
    } catch (error) {
      console.error("natter: signaling with a peer failed", error);
    }
  }

  stopWaitingForFirstOffer(): void {
    clearTimeout(this.#firstOfferWait);
    this.#firstOfferWait = undefined;
  }

  #sendDescription(): void {
    const description = this.#pc.localDescription;
    if (description) this.#sendSignal({ description: { type: description.type, sdp: description.sdp } });
  }

  /**
   * The peer's room socket came back (it resumed): an offer we sent while it was away never
   * reached it, and without an answer this connection would wait forever. Our current local
   * description carries every candidate gathered so far, so sending it again is enough.
   */
  peerReturned(): void {
    if (this.#pc.signalingState === "have-local-offer" && !this.#makingOffer) this.#sendDescription();
  }

  /** Negotiated at least once and not negotiating now: when the senders' parameters can be set. */
  negotiated(): boolean {
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
  restartIce(): void {
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
    this.stopWaitingForFirstOffer();
    this.#pc.onnegotiationneeded = null;
    this.#pc.onicecandidate = null;
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
