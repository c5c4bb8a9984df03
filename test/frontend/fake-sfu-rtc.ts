/**
 * A stand-in for RTCPeerConnection at the browser boundary for SFU session tests (happy-dom has
 * no WebRTC): just the parts an SFU session leans on. Transceivers get mids when our offer is set
 * or arrive with the SFU's offer (its SDP is a list of `a=mid:` lines here), stopped ones are
 * left out of offers, and the signaling state follows offer, answer and rollback. Real
 * negotiation and media are proven by test/e2e/sfu-room.test.ts in Chromium.
 */

export class FakeTransceiver {
  mid: string | null = null;
  currentDirection: RTCRtpTransceiverDirection | null = null;
  readonly receiver: { track: MediaStreamTrack };
  readonly sender: { track: MediaStreamTrack | null };

  constructor(
    public direction: RTCRtpTransceiverDirection,
    sent: MediaStreamTrack | null,
    readonly sendEncodings?: RTCRtpEncodingParameters[],
  ) {
    this.sender = { track: sent };
    this.receiver = { track: { kind: "video", id: `received-${Math.random()}` } as MediaStreamTrack };
  }

  stop(): void {
    this.direction = "stopped";
    this.currentDirection = "stopped";
  }
}

/** An SDP of this fake: one `a=mid:` line per live m-section. */
export const sdpOf = (mids: readonly string[]) => ["v=0", ...mids.map((mid) => `a=mid:${mid}`)].join("\r\n");
const midsIn = (sdp: string) => [...sdp.matchAll(/^a=mid:(.+)$/gm)].map((m) => m[1]!.trim());

type Description = { type: RTCSdpType; sdp?: string };

export class FakeSfuPeerConnection {
  static created: FakeSfuPeerConnection[] = [];

  readonly transceivers: FakeTransceiver[] = [];
  /** Every description set, in order: "local offer", "remote answer", "rollback", … */
  readonly history: string[] = [];
  signalingState: RTCSignalingState = "stable";
  connectionState: RTCPeerConnectionState = "new";
  localDescription: Description | null = null;
  remoteDescription: Description | null = null;
  #nextMid = 0;

  constructor(readonly config?: RTCConfiguration) {
    FakeSfuPeerConnection.created.push(this);
  }

  addTransceiver(track: MediaStreamTrack, init: RTCRtpTransceiverInit): FakeTransceiver {
    const transceiver = new FakeTransceiver(init.direction ?? "sendrecv", track, init.sendEncodings);
    this.transceivers.push(transceiver);
    return transceiver;
  }

  getTransceivers(): FakeTransceiver[] {
    return [...this.transceivers];
  }

  async createOffer(): Promise<Description> {
    const live = this.transceivers.filter((t) => t.direction !== "stopped");
    return { type: "offer", sdp: sdpOf(live.map((t) => t.mid ?? `new-${this.transceivers.indexOf(t)}`)) };
  }

  async createAnswer(): Promise<Description> {
    if (this.signalingState !== "have-remote-offer") throw new Error(`createAnswer in ${this.signalingState}`);
    return { type: "answer", sdp: this.remoteDescription?.sdp ?? "" };
  }

  async setLocalDescription(description: Description): Promise<void> {
    this.#open();
    if (description.type === "rollback") {
      if (this.signalingState !== "have-local-offer") throw new Error(`rollback in ${this.signalingState}`);
      this.history.push("rollback");
      this.signalingState = "stable";
      return;
    }
    if (description.type === "offer") {
      if (this.signalingState !== "stable") throw new Error(`local offer in ${this.signalingState}`);
      for (const t of this.transceivers)
        if (t.mid === null && t.direction !== "stopped") t.mid = String(this.#nextMid++);
      const live = this.transceivers.filter((t) => t.direction !== "stopped");
      this.localDescription = { type: "offer", sdp: sdpOf(live.map((t) => t.mid ?? "")) };
      this.history.push("local offer");
      this.signalingState = "have-local-offer";
      return;
    }
    if (this.signalingState !== "have-remote-offer") throw new Error(`local answer in ${this.signalingState}`);
    this.localDescription = description;
    this.history.push("local answer");
    this.signalingState = "stable";
  }

  async setRemoteDescription(description: Description): Promise<void> {
    this.#open();
    if (description.type === "answer") {
      if (this.signalingState !== "have-local-offer") throw new Error(`remote answer in ${this.signalingState}`);
      this.remoteDescription = description;
      this.history.push("remote answer");
      this.signalingState = "stable";
      return;
    }
    if (this.signalingState !== "stable") throw new Error(`remote offer in ${this.signalingState}`);
    for (const mid of midsIn(description.sdp ?? "")) {
      if (this.transceivers.some((t) => t.mid === mid)) continue;
      const transceiver = new FakeTransceiver("recvonly", null);
      transceiver.mid = mid;
      this.transceivers.push(transceiver);
      this.#nextMid = Math.max(this.#nextMid, Number(mid) + 1 || 0);
    }
    this.remoteDescription = description;
    this.history.push("remote offer");
    this.signalingState = "have-remote-offer";
  }

  close(): void {
    this.signalingState = "closed";
    this.connectionState = "closed";
  }

  #open(): void {
    if (this.signalingState === "closed") throw new DOMException("The connection is closed.", "InvalidStateError");
  }
}
