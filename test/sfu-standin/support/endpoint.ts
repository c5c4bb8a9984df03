/**
 * A WebRTC endpoint in Node (werift), standing where a browser would: it publishes a track of
 * synthetic RTP (the stand-in forwards packets without looking inside them) or pulls tracks and
 * counts the packets that reach it. Real ICE, DTLS and SRTP on loopback, no browser needed.
 */
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from "werift";
import { standinPeerConfig } from "../../../tooling/sfu-standin/peer-config";
import type { RealtimeApi } from "./api";

const PACKET_INTERVAL_MS = 20;

export class Endpoint {
  readonly pc = new RTCPeerConnection(standinPeerConfig());
  /** Packets received per mid of the pulled tracks. */
  readonly received = new Map<string, number>();
  /** The SSRC the stand-in sends each pulled mid's packets with (what feedback about it names). */
  readonly ssrcs = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly api: RealtimeApi,
    readonly sessionId: string,
  ) {
    this.pc.ontrack = ({ track, transceiver }) => {
      track.onReceiveRtp.subscribe((rtp) => {
        const mid = transceiver.mid ?? "?";
        this.received.set(mid, (this.received.get(mid) ?? 0) + 1);
        this.ssrcs.set(mid, rtp.header.ssrc);
      });
    };
  }

  static async create(api: RealtimeApi): Promise<Endpoint> {
    const created = await api.newSession();
    if (created.status >= 300) throw new Error(`sessions/new: ${created.status} ${JSON.stringify(created.body)}`);
    return new Endpoint(api, created.body.sessionId);
  }

  /** An offer with one sending m-line; returns its mid and the track to feed (nothing is sent yet). */
  async offerTrack(kind: "audio" | "video"): Promise<{ mid: string; track: MediaStreamTrack; sdp: string }> {
    const track = new MediaStreamTrack({ kind });
    const transceiver = this.pc.addTransceiver(track, { direction: "sendonly" });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return { mid: transceiver.mid ?? "", track, sdp: this.pc.localDescription?.sdp ?? "" };
  }

  /** Publishes one track under `trackName`; `sendMedia` false publishes it and then stays silent. */
  async publish(trackName: string, { kind = "video", sendMedia = true } = {}): Promise<string> {
    const { mid, track, sdp } = await this.offerTrack(kind as "audio" | "video");
    const answer = await this.api.newTracks(this.sessionId, {
      sessionDescription: { type: "offer", sdp },
      tracks: [{ location: "local", mid, trackName }],
    });
    if (answer.status !== 200) throw new Error(`publish: ${answer.status} ${JSON.stringify(answer.body)}`);
    await this.pc.setRemoteDescription(answer.body.sessionDescription);
    if (sendMedia) this.sendSyntheticRtp(track, kind === "video" ? 96 : 111);
    return mid;
  }

  /** Pulls tracks and answers the SFU's offer through renegotiate; returns the mids they arrive on. */
  async pull(tracks: { sessionId: string; trackName: string }[]): Promise<string[]> {
    const answer = await this.api.newTracks(this.sessionId, {
      tracks: tracks.map((track) => ({ location: "remote", ...track })),
    });
    if (answer.status !== 200 || !answer.body.requiresImmediateRenegotiation)
      throw new Error(`pull: ${answer.status} ${JSON.stringify(answer.body)}`);
    await this.answerSfuOffer(answer.body.sessionDescription);
    return answer.body.tracks.map((track: { mid: string }) => track.mid);
  }

  async answerSfuOffer(offer: { type: "offer"; sdp: string }): Promise<void> {
    await this.pc.setRemoteDescription(offer);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    const done = await this.api.renegotiate(this.sessionId, {
      sessionDescription: { type: "answer", sdp: this.pc.localDescription?.sdp ?? "" },
    });
    if (done.status !== 200) throw new Error(`renegotiate: ${done.status} ${JSON.stringify(done.body)}`);
  }

  private sendSyntheticRtp(track: MediaStreamTrack, payloadType: number): void {
    let sequenceNumber = 1;
    let timestamp = 1_000;
    const ssrc = Math.floor(Math.random() * 2 ** 31);
    const timer = setInterval(() => {
      const header = new RtpHeader({ payloadType, sequenceNumber, timestamp, ssrc, marker: true });
      track.writeRtp(new RtpPacket(header, Buffer.alloc(100, sequenceNumber % 256)));
      sequenceNumber = (sequenceNumber + 1) % 65_536;
      timestamp += 3_000;
    }, PACKET_INTERVAL_MS);
    this.timers.push(timer);
  }

  stopSending(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  async close(): Promise<void> {
    this.stopSending();
    await this.pc.close();
  }
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
