import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ServerMessage } from "../../durable-objects/protocol";
import { Call } from "../../frontend/call/call";
import type { GetUserMedia } from "../../frontend/call/media";
import { isPolite } from "../../frontend/call/peer-connection";
import { FakeSocket } from "./fake-socket";

const SELF = "5".repeat(32);
const ADA = "1".repeat(32);
const BOB = "9".repeat(32);

/**
 * Just enough of RTCPeerConnection to watch the engine manage connections: happy-dom has no
 * WebRTC, and negotiation itself is proven by the e2e tests in real Chromium.
 */
class FakeRTCPeerConnection {
  static created: FakeRTCPeerConnection[] = [];
  readonly transceivers: string[] = [];
  readonly tracks: MediaStreamTrack[] = [];
  readonly candidates: unknown[] = [];
  closed = false;
  signalingState = "stable";
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: (() => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  ontrack: (() => void) | null = null;

  constructor(readonly config: RTCConfiguration) {
    FakeRTCPeerConnection.created.push(this);
  }
  addTrack(track: MediaStreamTrack) {
    this.tracks.push(track);
  }
  addTransceiver(kind: string, init: RTCRtpTransceiverInit) {
    this.transceivers.push(`${kind}:${init.direction}`);
  }
  async addIceCandidate(candidate: unknown) {
    this.candidates.push(candidate);
  }
  close() {
    this.closed = true;
  }
}

function fakeTrack(kind: string) {
  return {
    kind,
    id: kind,
    stopped: false,
    stop() {
      this.stopped = true;
    },
  };
}

async function joinedCall({ getUserMedia = null }: { getUserMedia?: GetUserMedia | null } = {}) {
  let socket!: FakeSocket;
  const call = new Call({
    room: "team-sync",
    name: "Cy",
    url: "ws://example.test/api/rooms/team-sync/ws",
    getUserMedia,
    signaling: { createSocket: (url) => (socket = new FakeSocket(url)) },
  });
  await call.start();
  socket.open();
  const receive = (message: ServerMessage) => socket.receive(message);
  return { call, socket, receive };
}

describe("Call", () => {
  beforeEach(() => {
    FakeRTCPeerConnection.created = [];
    vi.stubGlobal("RTCPeerConnection", FakeRTCPeerConnection);
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it("joins with its name and connects to everyone already in the room", async () => {
    const { call, socket, receive } = await joinedCall();
    expect(call.status.value).toBe("connecting");
    expect(socket.sentMessages()).toEqual([{ type: "join", name: "Cy" }]);

    receive({
      type: "welcome",
      id: SELF,
      peers: [
        { id: ADA, name: "Ada" },
        { id: BOB, name: "Bob" },
      ],
      lock: null,
    });

    expect(call.status.value).toBe("joined");
    expect(call.selfId.value).toBe(SELF);
    expect(call.peers.value.map((p) => [p.id, p.name, p.stream])).toEqual([
      [ADA, "Ada", null],
      [BOB, "Bob", null],
    ]);
    expect(FakeRTCPeerConnection.created).toHaveLength(2);
    expect(FakeRTCPeerConnection.created[0]?.config.iceServers).toEqual([{ urls: "stun:stun.cloudflare.com:3478" }]);
  });

  it("asks to receive audio and video when it has nothing to send", async () => {
    const { call, receive } = await joinedCall();
    receive({ type: "welcome", id: SELF, peers: [{ id: ADA, name: "Ada" }], lock: null });

    expect(call.mediaError.value).toMatch(/watch and listen/);
    expect(FakeRTCPeerConnection.created[0]?.transceivers).toEqual(["audio:recvonly", "video:recvonly"]);
  });

  it("sends its camera and microphone to every peer, and stops them on leave", async () => {
    const tracks = [fakeTrack("audio"), fakeTrack("video")];
    const stream = { getTracks: () => tracks } as unknown as MediaStream;
    const { call, socket, receive } = await joinedCall({ getUserMedia: async () => stream });
    receive({ type: "welcome", id: SELF, peers: [{ id: ADA, name: "Ada" }], lock: null });
    receive({ type: "peer-joined", peer: { id: BOB, name: "Bob" } });

    expect(call.localStream.value).toBe(stream);
    for (const pc of FakeRTCPeerConnection.created) {
      expect(pc.tracks).toEqual(tracks);
      expect(pc.transceivers).toEqual([]);
    }

    call.leave();
    expect(call.status.value).toBe("left");
    expect(call.peers.value).toEqual([]);
    expect(call.localStream.value).toBeNull();
    expect(tracks.every((t) => t.stopped)).toBe(true);
    expect(FakeRTCPeerConnection.created.every((pc) => pc.closed)).toBe(true);
    expect(socket.closedWith?.code).toBe(1000);
  });

  it("adds newcomers, and drops the connection of a peer who leaves for good", async () => {
    const { call, receive } = await joinedCall();
    receive({ type: "welcome", id: SELF, peers: [{ id: ADA, name: "Ada" }], lock: null });
    receive({ type: "peer-joined", peer: { id: BOB, name: "Bob" } });
    expect(call.peers.value.map((p) => p.name)).toEqual(["Ada", "Bob"]);

    receive({ type: "peer-left", id: ADA });
    expect(call.peers.value.map((p) => p.name)).toEqual(["Bob"]);
    expect(FakeRTCPeerConnection.created.map((pc) => pc.closed)).toEqual([true, false]);

    // A signal that was in flight when Ada left must not bring her tile back.
    receive({ type: "signal", from: ADA, data: { candidate: null } });
    expect(call.peers.value.map((p) => p.name)).toEqual(["Bob"]);
    expect(FakeRTCPeerConnection.created).toHaveLength(2);
  });

  it("routes signals to the sender's connection, creating it if the sender is new", async () => {
    const { call, receive } = await joinedCall();
    receive({ type: "welcome", id: SELF, peers: [], lock: null });
    const candidate = { candidate: "candidate:1 1 udp 1 192.0.2.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 };

    receive({ type: "signal", from: BOB, data: { candidate } });
    await Promise.resolve();

    expect(call.peers.value.map((p) => p.id)).toEqual([BOB]);
    expect(FakeRTCPeerConnection.created[0]?.candidates).toEqual([candidate]);
  });

  it("fails with a reason when the room drops the socket or turns us away", async () => {
    const dropped = await joinedCall();
    dropped.socket.drop(1006);
    expect(dropped.call.status.value).toBe("error");
    expect(dropped.call.error.value).toMatch(/Lost the connection/);

    const denied = await joinedCall();
    denied.receive({ type: "denied", reason: "locked" });
    expect(denied.call.status.value).toBe("error");
    expect(denied.call.error.value).toMatch(/locked/);
  });
});

describe("isPolite", () => {
  it("makes exactly one side of every pair polite", () => {
    expect(isPolite(ADA, BOB)).toBe(true);
    expect(isPolite(BOB, ADA)).toBe(false);
  });
});
