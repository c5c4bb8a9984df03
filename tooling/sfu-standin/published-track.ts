/**
 * One published track and the subscribers it forwards to: every RTP packet the publisher sends is
 * copied to each subscriber's sender, which gives it that subscriber's SSRC, payload type and mid
 * (header extensions are dropped and re-added by the sender, since each connection numbers them
 * its own way). A subscriber's picture-loss request is passed back to the publisher as a PLI.
 *
 * A simulcast track arrives as several layers (one incoming track per RID); each subscriber gets
 * one of them (simulcast.ts picks which) and moves to another only at a keyframe of the new one,
 * so its decoder never sees a delta frame of a picture it does not have.
 */
import {
  type MediaStreamTrack,
  type RTCRtpReceiver,
  type RTCRtpTransceiver,
  type RtpPacket,
  Vp8RtpPayload,
} from "werift";
import { chooseLayer, type Simulcast } from "./simulcast";

/** The layer of a track sent without simulcast. */
const SINGLE = "";

/** Whether `rtp` starts a VP8 keyframe: a new decoder (or layer) can start here. */
function startsKeyframe(rtp: RtpPacket): boolean {
  try {
    const vp8 = Vp8RtpPayload.deSerialize(rtp.payload);
    return vp8.payloadHeaderExist && vp8.isKeyframe;
  } catch {
    return false;
  }
}

export class Subscription {
  private readonly unsubscribe: () => void;
  forwardedPackets = 0;
  /** The layer being forwarded now (undefined: none yet), and the one waiting for its keyframe. */
  private current: string | undefined;
  private next: string | undefined;

  constructor(
    readonly transceiver: RTCRtpTransceiver,
    readonly source: PublishedTrack,
    private preference: Simulcast | undefined,
  ) {
    const pli = transceiver.sender.onPictureLossIndication.subscribe(() => source.requestKeyframe(this.current));
    this.unsubscribe = pli.unSubscribe;
    source.subscribers.add(this);
    this.reconsider();
  }

  /** A new layer preference (tracks/update): takes effect at the new layer's next keyframe. */
  prefer(preference: Simulcast): void {
    this.preference = preference;
    this.reconsider();
  }

  /** Picks the layer again (the preference or the publisher's layers changed) and asks for its keyframe. */
  reconsider(): void {
    const layers = this.source.layers();
    const wanted =
      this.preference && !(layers.length === 1 && layers[0] === SINGLE)
        ? chooseLayer(this.preference, layers)
        : layers[0];
    // None of the layers will do (ridNotAvailable "none"): forward nothing until one arrives.
    if (wanted === undefined) this.current = undefined;
    this.next = wanted === this.current ? undefined : wanted;
    if (this.next !== undefined) this.source.requestKeyframe(this.next);
  }

  forward(rtp: RtpPacket, layer: string): void {
    // Padding only (the publisher probing its bandwidth to the SFU): nothing for a subscriber to decode.
    if (rtp.payload.length === 0) return;
    // The first layer starts at once (the subscriber asks for a keyframe itself); a switch waits for one.
    const canStart = this.current === undefined || this.source.kind === "audio" || startsKeyframe(rtp);
    if (layer === this.next && canStart) {
      // The sender keeps its own sequence numbers and timestamps running across the switch.
      if (this.current !== undefined) this.transceiver.sender.replaceRTP(rtp.header);
      this.current = layer;
      this.next = undefined;
    }
    if (layer !== this.current) return;
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
  /** The incoming layers by RID (SINGLE without simulcast): the SSRC each arrives on, and how to stop listening. */
  private readonly sources = new Map<string, { ssrc: number | undefined; stop: () => void }>();

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

  /** The layers arriving now: [SINGLE] without simulcast, else the RIDs. */
  layers(): string[] {
    return [...this.sources.keys()];
  }

  /**
   * Starts forwarding once werift has an incoming track (it appears when the first packet's SSRC
   * is known; with simulcast, one per RID).
   */
  attach(track: MediaStreamTrack): void {
    const layer = track.rid ?? SINGLE;
    if (this.closed || this.sources.has(layer)) return;
    const source = { ssrc: track.ssrc as number | undefined, stop: () => {} };
    source.stop = track.onReceiveRtp.subscribe((rtp) => {
      // A simulcast layer's track may not know its SSRC: the packets tell, and a PLI needs it.
      source.ssrc = rtp.header.ssrc;
      this.lastMediaAt = performance.now();
      this.receivedPackets++;
      for (const subscriber of this.subscribers) subscriber.forward(rtp, layer);
    }).unSubscribe;
    this.sources.set(layer, source);
    // Someone may already be waiting for this layer.
    for (const subscriber of this.subscribers) subscriber.reconsider();
  }

  /** Asks the publisher for a keyframe of `layer` (every layer when undefined). */
  requestKeyframe(layer?: string): void {
    if (this.kind !== "video" || this.closed) return;
    for (const [rid, { ssrc }] of this.sources) {
      if ((layer === undefined || rid === layer) && ssrc !== undefined) this.receiver.sendRtcpPLI(ssrc).catch(() => {});
    }
  }

  /** Closed by its publisher or dropped for inactivity: nothing more is forwarded to anyone. */
  close(): void {
    this.closed = true;
    for (const { stop } of this.sources.values()) stop();
    for (const subscriber of [...this.subscribers]) subscriber.end();
  }
}
