/**
 * One published track and the subscribers it forwards to: every RTP packet the publisher sends is
 * copied to each subscriber's sender, which gives it that subscriber's SSRC, payload type and mid
 * (header extensions are dropped and re-added by the sender, since each connection numbers them
 * its own way). A subscriber's picture-loss request is passed back to the publisher as a PLI.
 */
import type { MediaStreamTrack, RTCRtpReceiver, RTCRtpTransceiver, RtpPacket } from "werift";

export class Subscription {
  private readonly unsubscribe: () => void;
  forwardedPackets = 0;

  constructor(
    readonly transceiver: RTCRtpTransceiver,
    readonly source: PublishedTrack,
  ) {
    const pli = transceiver.sender.onPictureLossIndication.subscribe(() => source.requestKeyframe());
    this.unsubscribe = pli.unSubscribe;
    source.subscribers.add(this);
  }

  forward(rtp: RtpPacket): void {
    const copy = rtp.clone();
    copy.header.extensions = [];
    this.forwardedPackets++;
    // The sender drops packets until DTLS is up; a failed write to one subscriber must not stop the others.
    this.transceiver.sender.sendRtp(copy).catch(() => {});
  }

  /** Stops forwarding to this subscriber (the transceiver itself is the session's to renegotiate). */
  end(): void {
    this.source.subscribers.delete(this);
    this.unsubscribe();
  }
}

export class PublishedTrack {
  readonly subscribers = new Set<Subscription>();
  /** When media last arrived (or the track was published): the inactivity timeout counts from here. */
  lastMediaAt: number;
  receivedPackets = 0;
  closed = false;
  private source: MediaStreamTrack | undefined;
  private stopListening: (() => void) | undefined;

  constructor(
    readonly sessionId: string,
    readonly trackName: string,
    readonly mid: string,
    readonly kind: "audio" | "video",
    private readonly receiver: RTCRtpReceiver,
    now: number,
  ) {
    this.lastMediaAt = now;
  }

  /** Starts forwarding once werift has the incoming track (it appears when the first packet's SSRC is known). */
  attach(track: MediaStreamTrack): void {
    if (this.closed || this.source) return;
    this.source = track;
    this.stopListening = track.onReceiveRtp.subscribe((rtp) => {
      this.lastMediaAt = performance.now();
      this.receivedPackets++;
      for (const subscriber of this.subscribers) subscriber.forward(rtp);
    }).unSubscribe;
    // Someone may already be waiting for a picture.
    if (this.subscribers.size > 0) this.requestKeyframe();
  }

  requestKeyframe(): void {
    const ssrc = this.source?.ssrc;
    if (this.kind !== "video" || ssrc === undefined || this.closed) return;
    this.receiver.sendRtcpPLI(ssrc).catch(() => {});
  }

  /** Closed by its publisher or dropped for inactivity: nothing more is forwarded to anyone. */
  close(): void {
    this.closed = true;
    this.stopListening?.();
    for (const subscriber of [...this.subscribers]) subscriber.end();
  }
}
