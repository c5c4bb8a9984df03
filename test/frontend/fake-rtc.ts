/**
 * A stand-in for RTCPeerConnection at the browser boundary: happy-dom has no WebRTC. It keeps the
 * signaling state machine (offer, answer, rollback) and lets a test drive the ICE state, so the
 * engine's own code (perfect negotiation, the watchdog, the budget) runs unmodified on top of it.
 * Real negotiation and media are proven by the e2e tests in Chromium.
 */
import { afterEach, beforeEach, vi } from "vitest";

let sdpCounter = 0;

/** An SDP just real enough for the engine: it only ever reads the DTLS fingerprint. */
export function fakeSdp(fingerprint: string): string {
  sdpCounter += 1;
  return `v=0\r\no=- ${sdpCounter} 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 ${fingerprint}\r\n`;
}

export class FakeSender {
  parameters: RTCRtpSendParameters;
  readonly applied: RTCRtpEncodingParameters[][] = [];
  constructor(public track: MediaStreamTrack | null) {
    this.parameters = { transactionId: "t", encodings: [{}], codecs: [], headerExtensions: [], rtcp: {} };
  }
  /** Swaps what is sent without renegotiating, as the browser's does. */
  async replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    this.track = track;
  }
  getParameters(): RTCRtpSendParameters {
    return structuredClone(this.parameters);
  }
  async setParameters(parameters: RTCRtpSendParameters): Promise<void> {
    this.parameters = structuredClone(parameters);
    this.applied.push(parameters.encodings.map((e) => ({ ...e })));
  }
}

export class FakeDataChannel extends EventTarget {
  readyState = "connecting";
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: (() => void) | null = null;
  readonly sent: string[] = [];
  constructor(readonly label: string) {
    super();
  }
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    this.readyState = "closed";
  }
}

type Description = { type: RTCSdpType; sdp?: string };

export class FakeRTCPeerConnection {
  static created: FakeRTCPeerConnection[] = [];

  config: RTCConfiguration;
  /** Each connection has its own certificate, as in a browser. */
  readonly fingerprint = `${String(FakeRTCPeerConnection.created.length + 1).padStart(2, "0")}:AA:BB`;
  readonly senders: FakeSender[] = [];
  readonly transceivers: string[] = [];
  readonly candidates: unknown[] = [];
  readonly channels: FakeDataChannel[] = [];
  /** Every description set, in order, for assertions about offers, answers and rollbacks. */
  readonly history: string[] = [];
  restarts = 0;
  signalingState: RTCSignalingState = "stable";
  iceConnectionState: RTCIceConnectionState = "new";
  connectionState: RTCPeerConnectionState = "new";
  localDescription: Description | null = null;
  remoteDescription: Description | null = null;
  currentRemoteDescription: Description | null = null;
  stats: Record<string, unknown>[] = [];

  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((event: { candidate: RTCIceCandidate | null }) => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  onsignalingstatechange: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  ontrack: ((event: { track: MediaStreamTrack }) => void) | null = null;
  ondatachannel: ((event: { channel: FakeDataChannel }) => void) | null = null;

  constructor(config: RTCConfiguration = {}) {
    this.config = config;
    FakeRTCPeerConnection.created.push(this);
  }

  getConfiguration(): RTCConfiguration {
    return { ...this.config };
  }
  setConfiguration(config: RTCConfiguration): void {
    this.config = config;
  }
  addTrack(track: MediaStreamTrack): FakeSender {
    const sender = new FakeSender(track);
    this.senders.push(sender);
    this.#negotiationNeeded();
    return sender;
  }
  /** With a track, as the camera beside a shared screen is added: a sender of its own, with its encodings. */
  addTransceiver(
    trackOrKind: string | MediaStreamTrack,
    init: RTCRtpTransceiverInit,
  ): { sender: FakeSender; direction: string | undefined } {
    const track = typeof trackOrKind === "string" ? null : trackOrKind;
    this.transceivers.push(`${track ? track.kind : trackOrKind}:${init.direction}`);
    const sender = new FakeSender(track);
    if (track) {
      sender.parameters.encodings = (init.sendEncodings ?? [{}]).map((encoding) => ({ ...encoding }));
      this.senders.push(sender);
    }
    this.#negotiationNeeded();
    return { sender, direction: init.direction };
  }
  getSenders(): FakeSender[] {
    return [...this.senders];
  }
  createDataChannel(label: string): FakeDataChannel {
    const channel = new FakeDataChannel(label);
    this.channels.push(channel);
    return channel;
  }
  async setLocalDescription(description?: Description): Promise<void> {
    if (description?.type === "rollback") {
      this.history.push("rollback");
      this.localDescription = null;
      this.#setSignaling("stable");
      return;
    }
    if (this.signalingState === "have-remote-offer") {
      this.localDescription = { type: "answer", sdp: fakeSdp(this.fingerprint) };
      this.history.push("local answer");
      this.currentRemoteDescription = this.remoteDescription;
      this.#setSignaling("stable");
    } else {
      this.localDescription = { type: "offer", sdp: fakeSdp(this.fingerprint) };
      this.history.push("local offer");
      this.#setSignaling("have-local-offer");
    }
  }
  async setRemoteDescription(description: Description): Promise<void> {
    if (description.type === "offer") {
      if (this.signalingState === "have-local-offer") this.history.push("implicit rollback");
      this.remoteDescription = description;
      this.history.push("remote offer");
      this.#setSignaling("have-remote-offer");
    } else if (description.type === "answer") {
      if (this.signalingState !== "have-local-offer") throw new Error(`answer in ${this.signalingState}`);
      this.remoteDescription = description;
      this.currentRemoteDescription = description;
      this.history.push("remote answer");
      this.#setSignaling("stable");
    }
  }
  async addIceCandidate(candidate: unknown): Promise<void> {
    this.candidates.push(candidate);
  }
  restartIce(): void {
    this.restarts += 1;
    this.#negotiationNeeded();
  }
  async getStats(): Promise<Map<string, unknown>> {
    return new Map(this.stats.map((s, i) => [String(s.id ?? i), s]));
  }
  close(): void {
    this.signalingState = "closed";
    this.connectionState = "closed";
    this.iceConnectionState = "closed";
  }

  /** What the ICE agent would do: change state and tell the page. */
  setIceState(state: RTCIceConnectionState): void {
    this.iceConnectionState = state;
    this.connectionState =
      state === "checking" ? "connecting" : state === "completed" ? "connected" : (state as RTCPeerConnectionState);
    this.oniceconnectionstatechange?.();
  }

  #setSignaling(state: RTCSignalingState): void {
    this.signalingState = state;
    this.onsignalingstatechange?.();
  }

  /** Like the browser, asynchronously and only when stable. */
  #negotiationNeeded(): void {
    queueMicrotask(() => {
      if (this.signalingState === "stable") this.onnegotiationneeded?.();
    });
  }
}

export function fakeTrack(kind: "audio" | "video", id = kind): MediaStreamTrack {
  return {
    kind,
    id,
    enabled: true,
    contentHint: "",
    stop() {},
    addEventListener() {},
    removeEventListener() {},
  } as unknown as MediaStreamTrack;
}

export function fakeStream(tracks: MediaStreamTrack[]): MediaStream {
  return {
    id: "local",
    getTracks: () => tracks,
    getAudioTracks: () => tracks.filter((t) => t.kind === "audio"),
    getVideoTracks: () => tracks.filter((t) => t.kind === "video"),
  } as never;
}

/**
 * Installs the fake for each test of the calling describe block: a fresh list of connections,
 * RTCPeerConnection replaced, warnings silenced (recovery logs them on purpose), and optionally
 * fake timers from `now`. Everything is put back after each test.
 */
export function useFakeRTC({
  fakeTimers = false,
  now,
  fake = FakeRTCPeerConnection,
}: {
  fakeTimers?: boolean;
  now?: number;
  /** A different stand-in that also lists what it created (call.test.ts has a simpler one). */
  fake?: { created: unknown[] };
} = {}): void {
  beforeEach(() => {
    fake.created = [];
    if (fakeTimers) vi.useFakeTimers(now === undefined ? undefined : { now });
    vi.stubGlobal("RTCPeerConnection", fake);
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });
}
