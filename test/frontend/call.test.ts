import { describe, expect, it, vi } from "vitest";
import { CloseCode } from "../../common/close-codes";
import type { IceConfig, LockInfo, PeerInfo } from "../../common/protocol";
import { GUESS_WARNING_MS, ROOM_NOTICE_MS } from "../../frontend/call/call";
import type { GetUserMedia } from "../../frontend/call/media/acquire";
import { LocalMedia } from "../../frontend/call/media/local-media";
import { FIRST_OFFER_WAIT_MS, isPolite } from "../../frontend/call/peer/negotiation";
import { ADA, BOB, roomCall, welcome as roomWelcome, SELF, settle } from "./fake-room";
import { useFakeRTC } from "./fake-rtc";

const KNOCKER = "7".repeat(32);

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
  localDescription = null;
  onicecandidate: (() => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  ontrack: (() => void) | null = null;

  readonly channels: { label: string; init: RTCDataChannelInit; sent: string[] }[] = [];
  readonly senders: { track: MediaStreamTrack | null; replaceTrack(track: MediaStreamTrack | null): Promise<void> }[] =
    [];

  constructor(readonly config: RTCConfiguration) {
    FakeRTCPeerConnection.created.push(this);
  }
  addTrack(track: MediaStreamTrack) {
    this.tracks.push(track);
    const sender = {
      track: track as MediaStreamTrack | null,
      async replaceTrack(next: MediaStreamTrack | null) {
        sender.track = next;
      },
    };
    this.senders.push(sender);
    return sender;
  }
  getSenders() {
    return this.senders;
  }
  createDataChannel(label: string, init: RTCDataChannelInit) {
    const channel = {
      label,
      init,
      sent: [] as string[],
      readyState: "open",
      send: (text: string) => channel.sent.push(text),
    };
    this.channels.push(channel);
    return channel;
  }
  addTransceiver(kind: string, init: RTCRtpTransceiverInit) {
    this.transceivers.push(`${kind}:${init.direction}`);
  }
  async addIceCandidate(candidate: unknown) {
    this.candidates.push(candidate);
  }
  localDescriptionsSet = 0;
  async setLocalDescription() {
    this.localDescriptionsSet += 1;
  }
  close() {
    this.closed = true;
  }
}

function fakeTrack(kind: string) {
  return {
    kind,
    id: kind,
    enabled: true,
    stopped: false,
    stop() {
      this.stopped = true;
    },
    addEventListener() {},
  };
}

/** happy-dom's MediaStream takes any track-like objects. */
function streamOf(tracks: ReturnType<typeof fakeTrack>[]): MediaStream {
  return new MediaStream(tracks as unknown as MediaStreamTrack[]);
}

const STUN_EXAMPLE: IceConfig = {
  iceServers: [{ urls: ["stun:stun.example.test:3478"] }],
  iceTransportPolicy: "all",
  expiresAt: null,
};
const welcome = (peers: PeerInfo[] = [], lock: LockInfo | null = null) =>
  roomWelcome(peers, { lock, ice: STUN_EXAMPLE });

async function connectedCall({ getUserMedia = null }: { getUserMedia?: GetUserMedia | null } = {}) {
  const { call, socket, receive } = roomCall({ getUserMedia });
  call.start();
  socket().open();
  return { call, socket: socket(), receive };
}

describe("Call", () => {
  useFakeRTC({ fake: FakeRTCPeerConnection });

  it("joins with its name and connects to everyone already in the room, with the room's ICE servers", async () => {
    const { call, socket, receive } = await connectedCall();
    expect(call.status.value).toBe("connecting");
    expect(socket.sentMessages()).toEqual([{ type: "join", name: "Cy" }]);

    await receive(
      welcome([
        { id: ADA, name: "Ada" },
        { id: BOB, name: "Bob" },
      ]),
    );

    expect(call.status.value).toBe("joined");
    expect(call.access.value).toEqual({ state: "in" });
    expect(call.selfId.value).toBe(SELF);
    expect(call.peers.value.map((p) => [p.id, p.name, p.stream])).toEqual([
      [ADA, "Ada", null],
      [BOB, "Bob", null],
    ]);
    expect(FakeRTCPeerConnection.created).toHaveLength(2);
    expect(FakeRTCPeerConnection.created[0]?.config.iceServers).toEqual([{ urls: ["stun:stun.example.test:3478"] }]);
  });

  it("asks to receive audio and video when it has nothing to send", async () => {
    const { call, receive } = await connectedCall();
    await receive(welcome([{ id: ADA, name: "Ada" }]));

    expect(call.mediaError.value).toEqual({ missing: "both", reason: "insecure" });
    expect(FakeRTCPeerConnection.created[0]?.transceivers).toEqual(["audio:recvonly", "video:recvonly"]);
  });

  it("sends its camera and microphone to every peer, and stops them on leave", async () => {
    const tracks = [fakeTrack("audio"), fakeTrack("video")];
    const stream = streamOf(tracks);
    const { call, socket, receive } = await connectedCall({ getUserMedia: async () => stream });
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    await receive({ type: "peer-joined", peer: { id: BOB, name: "Bob" } });

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

  it("asks for the camera only once let in, and holds what peers say until it has it", async () => {
    let grant!: (stream: MediaStream) => void;
    const getUserMedia = vi.fn<GetUserMedia>(() => new Promise((resolve) => (grant = resolve)));
    const { call, socket } = await connectedCall({ getUserMedia });
    expect(getUserMedia).not.toHaveBeenCalled();

    socket.receive(welcome([{ id: ADA, name: "Ada" }]));
    socket.receive({ type: "peer-joined", peer: { id: BOB, name: "Bob" } });
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    expect(call.status.value).toBe("joined");
    // No connection yet: it would otherwise offer without our tracks.
    expect(FakeRTCPeerConnection.created).toHaveLength(0);

    const tracks = [fakeTrack("video")];
    grant(streamOf(tracks));
    await settle();
    expect(call.peers.value.map((p) => p.name)).toEqual(["Ada", "Bob"]);
    expect(FakeRTCPeerConnection.created.map((pc) => pc.tracks)).toEqual([tracks, tracks]);
  });

  it("with the camera on since the hair check, connects to everyone inside while handling the welcome", async () => {
    const tracks = [fakeTrack("audio"), fakeTrack("video")];
    // As the room page does: the camera starts with the hair check, before the call is joined.
    const media = new LocalMedia({ getUserMedia: async () => streamOf(tracks) });
    await media.start();
    const { call, socket } = roomCall({ media });
    call.start();
    socket().open();
    socket().receive(welcome([{ id: ADA, name: "Ada" }]));
    // Not one await in between: a microtask would let the call view render first, and the peers'
    // offers, already on their way, would wait for that render before finding their connection.
    expect(FakeRTCPeerConnection.created.map((pc) => pc.tracks)).toEqual([tracks]);
  });

  it("lets the people already inside make the first offer, and offers first to newcomers", async () => {
    vi.useFakeTimers();
    const { socket } = await connectedCall();
    socket.receive(welcome([{ id: ADA, name: "Ada" }]));
    await vi.advanceTimersByTimeAsync(0);
    socket.receive({ type: "peer-joined", peer: { id: BOB, name: "Bob" } });
    const [toAda, toBob] = FakeRTCPeerConnection.created;

    // Ada heard that we joined and is offering already: two offers at once is the glare that
    // trips Chromium's rollback bug, so we wait for hers. Bob is new: we go first.
    toAda?.onnegotiationneeded?.();
    toBob?.onnegotiationneeded?.();
    expect([toAda?.localDescriptionsSet, toBob?.localDescriptionsSet]).toEqual([0, 1]);

    // If her offer never comes, we offer ourselves rather than never connect.
    await vi.advanceTimersByTimeAsync(FIRST_OFFER_WAIT_MS);
    expect(toAda?.localDescriptionsSet).toBe(1);
  });

  it("adds newcomers, and drops the connection of a peer who leaves for good", async () => {
    const { call, receive } = await connectedCall();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    await receive({ type: "peer-joined", peer: { id: BOB, name: "Bob" } });
    expect(call.peers.value.map((p) => p.name)).toEqual(["Ada", "Bob"]);

    await receive({ type: "peer-left", id: ADA });
    expect(call.peers.value.map((p) => p.name)).toEqual(["Bob"]);
    expect(FakeRTCPeerConnection.created.map((pc) => pc.closed)).toEqual([true, false]);

    // A signal that was in flight when Ada left must not bring her tile back.
    await receive({ type: "signal", from: ADA, data: { candidate: null } });
    expect(call.peers.value.map((p) => p.name)).toEqual(["Bob"]);
    expect(FakeRTCPeerConnection.created).toHaveLength(2);
  });

  it("routes signals to the sender's connection, creating it if the sender is new", async () => {
    const { call, receive } = await connectedCall();
    await receive(welcome());
    const candidate = { candidate: "candidate:1 1 udp 1 192.0.2.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 };

    await receive({ type: "signal", from: BOB, data: { candidate } });

    expect(call.peers.value.map((p) => p.id)).toEqual([BOB]);
    expect(FakeRTCPeerConnection.created[0]?.candidates).toEqual([candidate]);
  });

  it("fails with a reason when the room drops the socket or is full", async () => {
    const dropped = await connectedCall();
    dropped.socket.drop(1006);
    expect(dropped.call.status.value).toBe("error");
    expect(dropped.call.error.value).toBe("lost");

    const full = await connectedCall();
    await full.receive({ type: "denied", reason: "full" });
    expect(full.call.status.value).toBe("error");
    expect(full.call.error.value).toBe("full");
  });

  describe("a socket the room closed at its door (idle, 4009)", () => {
    function hairCheck() {
      const { call, sockets } = roomCall({ getUserMedia: null });
      // The hair check opens the socket; join() sends the handshake.
      call.connect();
      sockets[0]!.open();
      return { call, sockets };
    }

    it("joins from the hair check on a new socket, with one handshake", async () => {
      const { call, sockets } = hairCheck();
      // The person looks at their preview for longer than the room keeps an idle socket.
      sockets[0]!.drop(CloseCode.idle, "Not joined in time");
      expect(call.status.value).toBe("connecting");
      expect(call.error.value).toBeNull();

      call.join();
      expect(sockets).toHaveLength(2);
      sockets[1]!.open();
      expect(sockets[1]!.sentMessages()).toEqual([{ type: "join", name: "Cy" }]);
      sockets[1]!.receive(welcome());
      await settle();
      expect(call.status.value).toBe("joined");
    });

    it("knocks on a new socket after waiting at a locked door", async () => {
      const { call, sockets } = hairCheck();
      call.join();
      sockets[0]!.receive({ type: "denied", reason: "locked" });
      await settle();
      sockets[0]!.drop(CloseCode.idle, "Not joined in time");
      expect(call.status.value).toBe("outside");
      call.knock();
      expect(sockets).toHaveLength(2);
      sockets[1]!.open();
      expect(sockets[1]!.sentMessages()).toEqual([{ type: "knock", name: "Cy" }]);
    });
  });

  describe("at the door of a locked room", () => {
    it("waits outside with the socket open and the camera off", async () => {
      const getUserMedia = vi.fn<GetUserMedia>();
      const { call, socket, receive } = await connectedCall({ getUserMedia });
      await receive({ type: "denied", reason: "locked" });

      expect(call.status.value).toBe("outside");
      expect(call.access.value).toEqual({ state: "locked" });
      expect(socket.closedWith).toBeNull();
      expect(getUserMedia).not.toHaveBeenCalled();
    });

    it("tries a key on the same socket and says how many tries are left", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive({ type: "denied", reason: "locked" });

      expect(call.submitKey("open sesame")).toBeNull();
      expect(call.access.value).toEqual({ state: "checking-key" });
      expect(socket.sentMessages().at(-1)).toEqual({ type: "join", name: "Cy", key: "open sesame" });

      await receive({ type: "denied", reason: "wrong-key", triesLeft: 3 });
      expect(call.status.value).toBe("outside");
      expect(call.access.value).toEqual({ state: "wrong-key", triesLeft: 3 });

      call.submitKey("the right one");
      await receive(welcome([{ id: ADA, name: "Ada" }], { by: "Ada", byId: ADA }));
      expect(call.status.value).toBe("joined");
      expect(call.lock.value).toEqual({ by: "Ada", byId: ADA });
      expect(call.peers.value.map((p) => p.name)).toEqual(["Ada"]);
    });

    it("keeps the key in that one message only", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive({ type: "denied", reason: "locked" });
      const log = vi.spyOn(console, "log");

      call.submitKey("zebra-quartz-42");
      await receive({ type: "denied", reason: "wrong-key", triesLeft: 4 });

      expect(socket.sent.filter((text) => text.includes("zebra-quartz-42"))).toHaveLength(1);
      expect(JSON.stringify({ ...localStorage })).not.toContain("zebra-quartz-42");
      expect(JSON.stringify({ ...sessionStorage })).not.toContain("zebra-quartz-42");
      expect(location.href).not.toContain("zebra");
      expect(log).not.toHaveBeenCalled();
    });

    it("refuses a key the room could never accept without using a try", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive({ type: "denied", reason: "locked" });
      const sent = socket.sent.length;

      expect(call.submitKey("abc")).toEqual({ key: "keyTooShort", values: { min: 4 } });
      expect(call.submitKey("   ")).toEqual({ key: "keyEmpty" });
      expect(socket.sent).toHaveLength(sent);
      expect(call.access.value).toEqual({ state: "locked" });
    });

    it("shows a throttle as a deadline on its own clock", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(1_000_000);
      const { call, receive } = await connectedCall();
      await receive({ type: "denied", reason: "throttled", retryAfterMs: 8_000 });

      expect(call.status.value).toBe("outside");
      expect(call.access.value).toEqual({ state: "throttled", retryAt: 1_008_000 });
    });

    it("knocks, and hears how the knock ended", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive({ type: "denied", reason: "locked" });

      call.knock();
      expect(socket.sentMessages().at(-1)).toEqual({ type: "knock", name: "Cy" });
      expect(call.access.value).toEqual({ state: "knocking" });
      await receive({ type: "knock-sent" });
      expect(call.access.value).toEqual({ state: "knocking" });

      await receive({ type: "denied", reason: "knock-declined" });
      expect(call.access.value).toEqual({ state: "declined" });
      call.knock();
      await receive({ type: "denied", reason: "knock-lapsed" });
      expect(call.access.value).toEqual({ state: "lapsed" });
      call.knock();
      await receive({ type: "denied", reason: "too-many-knocks" });
      expect(call.access.value).toEqual({ state: "too-many-knocks" });

      call.knock();
      await receive(welcome([{ id: ADA, name: "Ada" }], { by: "Ada", byId: ADA }));
      expect(call.status.value).toBe("joined");
      expect(call.access.value).toEqual({ state: "in" });
    });

    it("walks in when the room turns out to have been unlocked meanwhile", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive({ type: "denied", reason: "locked" });

      call.knock();
      await receive({ type: "error", code: "not-locked", message: "The room is not locked." });
      expect(socket.sentMessages().at(-1)).toEqual({ type: "join", name: "Cy" });
      await receive(welcome());
      expect(call.status.value).toBe("joined");
    });
  });

  describe("inside", () => {
    it("follows the lock, and announces who locked and unlocked", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive(welcome());
      expect(call.lock.value).toBeNull();

      expect(call.lockRoom("abc")).toEqual({ key: "keyTooShort", values: { min: 4 } });
      expect(call.lockRoom("correct horse")).toBeNull();
      expect(socket.sentMessages().at(-1)).toEqual({ type: "lock", key: "correct horse" });
      await receive({ type: "locked", by: "Cy", byId: SELF });
      expect(call.lock.value).toEqual({ by: "Cy", byId: SELF });
      expect(call.lockNews.value).toEqual({ locked: true, by: "Cy", byId: SELF });

      call.unlockRoom();
      expect(socket.sentMessages().at(-1)).toEqual({ type: "unlock" });
      await receive({ type: "unlocked", by: "Ada", byId: ADA });
      expect(call.lock.value).toBeNull();
      expect(call.lockNews.value).toEqual({ locked: false, by: "Ada", byId: ADA });
    });

    it("removes someone only after the room confirms the lock that keeps them out", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive(welcome([{ id: ADA, name: "Ada" }]));

      call.lockRoom("correct horse", { thenRemove: ADA });
      expect(socket.sentMessages().at(-1)).toEqual({ type: "lock", key: "correct horse" });
      await receive({ type: "locked", by: "Cy", byId: SELF });
      expect(socket.sentMessages().at(-1)).toEqual({ type: "kick", id: ADA });

      call.removePeer(ADA);
      expect(socket.sentMessages().at(-1)).toEqual({ type: "kick", id: ADA });
    });

    it("lists knocks until they end, and answers them", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive(welcome([], { by: "Cy", byId: SELF }));

      await receive({ type: "knocking", id: KNOCKER, name: "Dee" });
      await receive({ type: "knocking", id: ADA, name: "Eve" });
      expect(call.knocks.value).toEqual([
        { id: KNOCKER, name: "Dee" },
        { id: ADA, name: "Eve" },
      ]);

      call.admit(KNOCKER);
      expect(socket.sentMessages().at(-1)).toEqual({ type: "admit", id: KNOCKER });
      expect(call.knocks.value.map((k) => k.name)).toEqual(["Eve"]);

      call.deny(ADA);
      expect(socket.sentMessages().at(-1)).toEqual({ type: "deny", id: ADA });
      expect(call.knocks.value).toEqual([]);

      await receive({ type: "knocking", id: BOB, name: "Fay" });
      await receive({ type: "knock-ended", id: BOB, outcome: "lapsed" });
      expect(call.knocks.value).toEqual([]);
    });

    it("warns that someone is guessing the key, for a while", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive(welcome());
      vi.useFakeTimers();

      socket.receive({ type: "key-guessed", failures: 3 });
      expect(call.guessWarning.value?.failures).toBe(3);
      expect(call.status.value).toBe("joined");

      vi.advanceTimersByTime(GUESS_WARNING_MS - 1);
      socket.receive({ type: "key-guessed", failures: 4 });
      vi.advanceTimersByTime(GUESS_WARNING_MS - 1);
      // A new guess keeps the warning up for its full time again.
      expect(call.guessWarning.value?.failures).toBe(4);
      vi.advanceTimersByTime(1);
      expect(call.guessWarning.value).toBeNull();
    });

    it("says so for a while when the room refuses a lock or unlock, and stays in the call", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive(welcome());
      vi.useFakeTimers();

      socket.receive({
        type: "error",
        code: "lock-cooldown",
        message: "You just locked or unlocked the room; try again in 2 s.",
      });
      expect(call.roomNotice.value).toBe("lock-cooldown");
      expect(call.status.value).toBe("joined");
      vi.advanceTimersByTime(ROOM_NOTICE_MS);
      expect(call.roomNotice.value).toBeNull();

      socket.receive({ type: "error", code: "busy", message: "The room is busy checking keys; try again in 1 s." });
      expect(call.roomNotice.value).toBe("busy");
      // A race the room reports (a signal to someone who just left) is nothing to tell people about.
      socket.receive({ type: "error", code: "unknown-peer", message: "No such peer in this room." });
      expect(call.roomNotice.value).toBe("busy");
    });

    it("says who removed us, and hangs up", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive(welcome([{ id: ADA, name: "Ada" }]));

      await receive({ type: "removed", by: "Ada", byId: ADA });
      expect(call.status.value).toBe("removed");
      expect(call.removedBy.value).toEqual({ name: "Ada", tag: null });
      expect(call.peers.value).toEqual([]);
      expect(socket.closedWith).not.toBeNull();
    });

    it("treats the room's removal close code as removal even without the message", async () => {
      const { call, socket, receive } = await connectedCall();
      await receive(welcome());

      socket.drop(4003, "You were removed from the call.");
      expect(call.status.value).toBe("removed");
      expect(call.removedBy.value).toBeNull();
    });
  });
});

describe("isPolite", () => {
  it("makes exactly one side of every pair polite", () => {
    expect(isPolite(ADA, BOB)).toBe(true);
    expect(isPolite(BOB, ADA)).toBe(false);
  });
});
