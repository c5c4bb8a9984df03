/**
 * The call engine across a dropped room socket, a restarted room and expiring TURN credentials,
 * with fakes only at the browser's boundaries: the WebSocket (fake-socket.ts, the test plays the
 * room) and RTCPeerConnection (fake-rtc.ts). Real calls through real drops are in
 * test/e2e/connectivity.test.ts.
 */
import { describe, expect, it, vi } from "vitest";
import type { IceConfig, PeerInfo, ServerMessage } from "../../common/protocol";
import { type Call, PEER_RETURN_GRACE_MS } from "../../frontend/call/call";
import { backoffCeiling } from "../../frontend/call/link/backoff";
import { videoCap } from "../../frontend/call/media/bitrate";
import { ADA, BOB, RoomSocket, roomCall, welcome as roomWelcome, SELF } from "./fake-room";
import { FakeRTCPeerConnection, fakeSdp, fakeStream, fakeTrack, useFakeRTC } from "./fake-rtc";

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

const STUN: IceConfig = {
  iceServers: [{ urls: ["stun:stun.example.test"] }],
  iceTransportPolicy: "all",
  expiresAt: null,
};

function welcome(peers: PeerInfo[], { id = SELF, ice = STUN, token = "token-1" } = {}): ServerMessage {
  return roomWelcome(peers, { id, ice, token });
}

const ada: PeerInfo = { id: ADA, name: "Ada" };
const bob: PeerInfo = { id: BOB, name: "Bob" };

/** A call with a camera whose sockets the test plays the room for; every back-off waits its full ceiling. */
async function inCall(peers: PeerInfo[], { ice = STUN } = {}) {
  const tracks = [fakeTrack("audio"), fakeTrack("video")];
  const { call, sockets, socket, receive } = roomCall(
    { getUserMedia: async () => fakeStream(tracks), reconnect: { random: () => 0.999_999, environment: null } },
    { socket: RoomSocket, settle: () => vi.advanceTimersByTimeAsync(0) },
  );
  call.start();
  socket().open();
  socket().receive(welcome(peers, { ice }));
  await vi.advanceTimersByTimeAsync(0);
  expect(call.status.value).toBe("joined");

  /** Drops the socket, waits out the first back-off and opens the next socket (not yet welcomed). */
  const dropAndReopen = async (code = 1006) => {
    socket().drop(code);
    expect(call.status.value).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(backoffCeiling(0));
    socket().open();
  };
  return { call, sockets, socket, receive, dropAndReopen };
}

const ids = (call: Call) => call.peers.value.map((p) => p.id);
const connectionTo = (index: number) => FakeRTCPeerConnection.created[index]!;

describe("Call recovery", () => {
  useFakeRTC({ fakeTimers: true, now: NOW });

  it("keeps its peers and their connections while the socket reconnects, and resumes as itself", async () => {
    const { call, socket, receive, dropAndReopen } = await inCall([ada]);
    const toAda = connectionTo(0);

    await dropAndReopen();
    expect(ids(call)).toEqual([ADA]);
    expect(socket().sentMessages()).toEqual([{ type: "join", name: "Cy", resume: { id: SELF, token: "token-1" } }]);

    await receive(welcome([ada], { token: "token-2" }));
    expect(call.status.value).toBe("joined");
    expect(ids(call)).toEqual([ADA]);
    expect(FakeRTCPeerConnection.created).toEqual([toAda]);
    expect(toAda.signalingState).not.toBe("closed");
  });

  it("treats peer-joined for someone it knows as “still here”: no second tile, no second connection", async () => {
    const { call, receive } = await inCall([ada]);
    await receive({ type: "peer-joined", peer: ada });
    await receive({ type: "peer-joined", peer: { ...ada, name: "Ada L." } });
    expect(call.peers.value.map((p) => [p.id, p.name])).toEqual([[ADA, "Ada L."]]);
    expect(FakeRTCPeerConnection.created).toHaveLength(1);
  });

  it("sends again the offer a peer missed while its own socket was down", async () => {
    const { socket, receive } = await inCall([]);
    await receive({ type: "peer-joined", peer: bob });
    const offersTo = () =>
      socket()
        .sentMessages()
        .filter((m) => JSON.stringify(m).includes('"offer"'));
    expect(offersTo()).toHaveLength(1);

    // Bob resumed: the room announces him again, and our offer went nowhere meanwhile.
    await receive({ type: "peer-joined", peer: bob });
    expect(offersTo()).toHaveLength(2);
  });

  it("delivers what its connections said while it was away once the room has it back", async () => {
    const { socket, receive } = await inCall([ada]);
    socket().drop(1006);
    const candidate = { candidate: "candidate:1 1 udp 1 192.0.2.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 };
    connectionTo(0).onicecandidate?.({ candidate: candidate as unknown as RTCIceCandidate });
    await vi.advanceTimersByTimeAsync(backoffCeiling(0));
    socket().open();
    expect(socket().sentMessages()).toHaveLength(1);

    await receive(welcome([ada]));
    expect(socket().sentMessages()).toContainEqual({
      type: "signal",
      to: ADA,
      data: { candidate: { ...candidate, usernameFragment: undefined } },
    });
  });

  it("keeps a peer missing from the welcome for a while (the room restarted), and drops it if it never returns", async () => {
    const { call, receive, dropAndReopen } = await inCall([ada, bob]);
    await dropAndReopen();
    // The room forgot everyone; Bob has not reconnected yet.
    await receive(welcome([ada]));
    expect(ids(call)).toEqual([ADA, BOB]);

    await vi.advanceTimersByTimeAsync(PEER_RETURN_GRACE_MS - 1);
    expect(ids(call)).toEqual([ADA, BOB]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ids(call)).toEqual([ADA]);
    expect(connectionTo(1).signalingState).toBe("closed");
  });

  it("keeps a missing peer that comes back in time, with the same connection", async () => {
    const { call, receive, dropAndReopen } = await inCall([ada, bob]);
    await dropAndReopen();
    await receive(welcome([ada]));
    await vi.advanceTimersByTimeAsync(PEER_RETURN_GRACE_MS / 2);
    await receive({ type: "peer-joined", peer: bob });
    await vi.advanceTimersByTimeAsync(PEER_RETURN_GRACE_MS);
    expect(ids(call)).toEqual([ADA, BOB]);
    expect(FakeRTCPeerConnection.created).toHaveLength(2);
    expect(connectionTo(1).signalingState).not.toBe("closed");
  });

  it("meets people who joined while it was away, letting them make the first offer", async () => {
    const { call, socket, receive, dropAndReopen } = await inCall([ada]);
    await dropAndReopen();
    await receive(welcome([ada, bob]));
    expect(ids(call)).toEqual([ADA, BOB]);
    expect(
      socket()
        .sentMessages()
        .filter((m) => JSON.stringify(m).includes('"offer"')),
    ).toEqual([]);
  });

  it("stops, and says why, when another tab took the call over (4001)", async () => {
    const { call, sockets, socket } = await inCall([ada]);
    socket().drop(4001, "Replaced by a newer connection.");
    expect(call.status.value).toBe("error");
    expect(call.error.value).toBe("replaced");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(call.peers.value).toEqual([]);
  });

  it("after the room timed it out (4008), comes back and starts every connection over in the same tiles", async () => {
    const { call, receive, dropAndReopen } = await inCall([ada]);
    const old = connectionTo(0);
    await dropAndReopen(4008);
    await receive(welcome([ada]));

    expect(call.status.value).toBe("joined");
    expect(ids(call)).toEqual([ADA]);
    expect(old.signalingState).toBe("closed");
    expect(FakeRTCPeerConnection.created).toHaveLength(2);
  });

  it("gives someone who was told gone and came back (same id) a new connection", async () => {
    const { call, receive } = await inCall([ada]);
    await receive({ type: "peer-left", id: ADA });
    expect(ids(call)).toEqual([]);
    // A late signal from before does not bring the tile back…
    await receive({ type: "signal", from: ADA, data: { candidate: null } });
    expect(ids(call)).toEqual([]);
    // …but the room announcing her again does.
    await receive({ type: "peer-joined", peer: ada });
    expect(ids(call)).toEqual([ADA]);
    expect(FakeRTCPeerConnection.created).toHaveLength(2);
  });

  it("follows a peer that started over with a new connection (a different certificate)", async () => {
    const { call, receive } = await inCall([ada]);
    const old = connectionTo(0);
    await receive({ type: "signal", from: ADA, data: { description: { type: "offer", sdp: fakeSdp("AA:01") } } });
    expect(old.history).toEqual(["remote offer", "local answer"]);

    await receive({ type: "signal", from: ADA, data: { description: { type: "offer", sdp: fakeSdp("AA:02") } } });
    expect(old.signalingState).toBe("closed");
    expect(ids(call)).toEqual([ADA]);
    expect(connectionTo(1).history).toEqual(["remote offer", "local answer"]);

    // A renegotiation from the same connection is just that.
    await receive({ type: "signal", from: ADA, data: { description: { type: "offer", sdp: fakeSdp("AA:02") } } });
    expect(FakeRTCPeerConnection.created).toHaveLength(2);
  });

  it("goes back to the door, camera off, when the room no longer takes it (locked meanwhile)", async () => {
    const { call, receive, dropAndReopen } = await inCall([ada]);
    await dropAndReopen();
    await receive({ type: "denied", reason: "locked" });
    expect(call.status.value).toBe("outside");
    expect(call.peers.value).toEqual([]);
    expect(connectionTo(0).signalingState).toBe("closed");
    expect(call.localStream.value).toBeNull();
  });

  it("refreshes TURN credentials before they expire and gives the new ones to every connection", async () => {
    const turn = (credential: string): IceConfig => ({
      iceServers: [{ urls: ["turn:turn.example.test:3478"], username: "u", credential }],
      iceTransportPolicy: "relay",
      expiresAt: Date.now() + HOUR,
    });
    const { socket, receive } = await inCall([ada, bob], { ice: turn("first") });
    expect(connectionTo(0).config.iceTransportPolicy).toBe("relay");

    await vi.advanceTimersByTimeAsync(0.8 * HOUR - 1);
    expect(socket().sentMessages()).not.toContainEqual({ type: "refresh-ice" });
    await vi.advanceTimersByTimeAsync(1);
    expect(socket().sentMessages()).toContainEqual({ type: "refresh-ice" });

    await receive({ type: "ice", ice: turn("second") });
    for (const pc of FakeRTCPeerConnection.created) {
      expect(pc.config.iceServers).toEqual(turn("second").iceServers);
      expect(pc.config.iceTransportPolicy).toBe("relay");
    }
    // And again before the new ones expire.
    await vi.advanceTimersByTimeAsync(0.8 * HOUR);
    expect(
      socket()
        .sentMessages()
        .filter((m) => JSON.stringify(m) === '{"type":"refresh-ice"}'),
    ).toHaveLength(2);
  });

  it("re-splits the upload budget whenever someone joins or leaves", async () => {
    const { receive } = await inCall([ada]);
    const videoCapOf = (index: number) =>
      connectionTo(index).senders.find((s) => s.track?.kind === "video")?.parameters;
    // Capped once negotiated: Ada, there first, offers to us.
    await receive({ type: "signal", from: ADA, data: { description: { type: "offer", sdp: fakeSdp("AA:01") } } });
    expect(videoCapOf(0)?.encodings[0]).toEqual(videoCap(1));

    // We offer to Bob, the newcomer; his answer lets the cap land.
    await receive({ type: "peer-joined", peer: bob });
    await receive({ type: "signal", from: BOB, data: { description: { type: "answer", sdp: fakeSdp("BB:01") } } });
    expect(videoCapOf(0)?.encodings[0]).toEqual(videoCap(2));
    expect(videoCapOf(1)?.encodings[0]).toEqual(videoCap(2));

    await receive({ type: "peer-left", id: BOB });
    expect(videoCapOf(0)?.encodings[0]).toEqual(videoCap(1));
    // Audio is never capped.
    expect(connectionTo(0).senders.find((s) => s.track?.kind === "audio")?.applied).toEqual([]);
  });
});
