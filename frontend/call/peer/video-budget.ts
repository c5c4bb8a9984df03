/**
 * One connection's share of our upload (bitrate.ts): written into the peer's descriptions as a
 * bandwidth bound, applied to our video senders as maxBitrate, and fitted every quality poll to
 * what the link really carries (send-budget.ts).
 */
import { applyVideoCap, PIP_BITRATE_BPS, VIDEO_UPLOAD_BUDGET_BPS, videoCap } from "../media/bitrate";
import { withVideoBandwidth } from "./sdp-bandwidth";
import { START_BITRATE_BPS, withVideoStartBitrate } from "./sdp-start-bitrate";
import { fitVideoCap, INITIAL_SEND_STATE, readSendSample, type SendState, updateSendState } from "./send-budget";

export interface VideoBudgetDeps {
  pc: RTCPeerConnection;
  /** Resolves once the signals received so far are applied. */
  settled(): Promise<void>;
  /** Negotiated at least once and not negotiating now: when the senders' parameters can be set. */
  negotiated(): boolean;
  /** Whether we send video on this connection at all. */
  sendsVideo(): boolean;
  /** Our small camera beside a shared screen (camera-pip.ts): it keeps its own cap. */
  pipSender(): RTCRtpSender | null;
  now(): number;
}

export class VideoBudget {
  readonly #deps: VideoBudgetDeps;
  /** How many people we send to; null until the call says. */
  #peers: number | null = null;
  /** What our video really sends to this peer, against its share of the budget (send-budget.ts). */
  #sending: SendState = INITIAL_SEND_STATE;
  /** setParameters calls may not overlap: each needs the transaction of the getParameters before it. */
  #capping: Promise<void> = Promise.resolve();

  constructor(deps: VideoBudgetDeps) {
    this.#deps = deps;
  }

  /** Caps our video to this peer for a call in which we send to `peers` people. */
  setPeers(peers: number): void {
    this.#peers = peers;
    this.apply();
  }

  /**
   * The peer's description with our share of the upload budget (audio included) written into
   * its video section: libwebrtc takes that as the ceiling of the bandwidth estimate it sends
   * with, which also bounds what it adds to our encoder's bitrate on its own (probing, padding,
   * FEC), and which maxBitrate does not. Remote SDP may be changed; local SDP may not.
   *
   * The bound is the share when the description is applied: a call that grows keeps an older,
   * looser bound on a connection until its next negotiation (an ICE restart, a shared screen).
   * Renegotiating every connection whenever someone joins would cost offers in the very moment
   * everyone is already negotiating with the newcomer; maxBitrate follows at once either way.
   *
   * The same description says where our video starts (sdp-start-bitrate.ts), never above the share.
   */
  bound(description: RTCSessionDescriptionInit): RTCSessionDescriptionInit {
    if (description.type !== "offer" && description.type !== "answer") return description;
    const share = VIDEO_UPLOAD_BUDGET_BPS / (this.#peers ?? 1);
    const bounded = withVideoBandwidth(description.sdp ?? "", share);
    return { type: description.type, sdp: withVideoStartBitrate(bounded, Math.min(START_BITRATE_BPS, share)) };
  }

  /** Applies the current cap to every video sender (a no-op when nothing changed). */
  apply(): void {
    const peers = this.#peers;
    const pc = this.#deps.pc;
    if (peers === null || pc.signalingState === "closed") return;
    let senders: RTCRtpSender[];
    const pip = this.#deps.pipSender();
    try {
      senders = pc.getSenders().filter((sender) => sender.track?.kind === "video" && sender !== pip);
    } catch (error) {
      // The budget is a refinement: it must never stand in the way of joining a call.
      console.warn("natter: could not read the video senders", error);
      return;
    }
    if (senders.length === 0) return;
    // While the camera goes beside the screen, its thumbnail's bitrate comes out of every share first.
    const budget = VIDEO_UPLOAD_BUDGET_BPS - (pip?.track ? PIP_BITRATE_BPS * peers : 0);
    const cap = fitVideoCap(videoCap(peers, budget, senders.length), this.#sending);
    this.#capping = this.#capping.then(async () => {
      // Only between negotiations: Chromium fires `stable` before setRemoteDescription has finished
      // updating the senders, and a setParameters then fails ("modified RTCP parameters") and
      // leaves the first seconds uncapped. Waiting for the signals being applied avoids that; a
      // negotiation still to come ends in `stable` again, which applies the cap.
      await this.#deps.settled();
      if (!this.#deps.negotiated()) return;
      for (const sender of senders) {
        // A sender not negotiated yet has no encodings; the next `stable` applies the cap.
        await applyVideoCap(sender, cap).catch((error: unknown) => {
          if (pc.signalingState !== "closed") console.warn("natter: could not cap a video sender", error);
        });
      }
    });
  }

  /** Fits the cap to what the last interval really sent and to the uplink's estimate. */
  measure(report: RTCStatsReport): void {
    if (this.#peers === null) return;
    const senders = this.#deps.sendsVideo() ? 1 : 0;
    const share = videoCap(this.#peers).maxBitrate;
    this.#sending = updateSendState(this.#sending, readSendSample(report.values(), this.#deps.now()), share, senders);
    this.apply();
  }
}
