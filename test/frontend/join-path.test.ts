/**
 * The join's critical path on one peer connection: what must not wait for what between the
 * newcomer's welcome and its first connection. The RTCPeerConnection underneath is a fake
 * (fake-rtc.ts) whose operations can be held, to show what the engine waits for; the engine
 * code is the real one. test/e2e covers the join in real browsers.
 */
import { describe, expect, it } from "vitest";
import type { SignalData } from "../../common/protocol";
import { PeerConnection } from "../../frontend/call/peer/peer-connection";
import { FakeRTCPeerConnection, fakeSdp, fakeStream, fakeTrack, useFakeRTC } from "./fake-rtc";

const candidate = (port: number): SignalData => ({
  candidate: { candidate: `candidate:${port} 1 udp 1 192.0.2.1 ${port} typ host`, sdpMid: "0", sdpMLineIndex: 0 },
});

/** A stand-in whose addIceCandidate only settles when the test says so, as the browser's does one thread hop later. */
class HeldCandidates extends FakeRTCPeerConnection {
  readonly release: (() => void)[] = [];
  override async addIceCandidate(value: unknown): Promise<void> {
    this.candidates.push(value);
    await new Promise<void>((resolve) => this.release.push(resolve));
  }
}

describe("a connection's signals on the join path", () => {
  useFakeRTC({ fake: HeldCandidates });

  it("hands the peer's candidates to the connection together, not each after the last one was applied", async () => {
    const sent: SignalData[] = [];
    const pc = new PeerConnection({
      selfId: "1".repeat(32),
      peerId: "9".repeat(32),
      localStream: fakeStream([fakeTrack("audio"), fakeTrack("video")]),
      sendSignal: (data) => sent.push(data),
      awaitFirstOffer: true,
    });
    const fake = FakeRTCPeerConnection.created.at(-1) as HeldCandidates;
    // The offer and its candidates arrive together, as they do while we are still answering.
    const signals = [
      { description: { type: "offer", sdp: fakeSdp("REMOTE") } } as SignalData,
      candidate(5000),
      candidate(5001),
      candidate(5002),
    ];
    for (const signal of signals) void pc.handleSignal(signal);
    // Long enough for every signal to be handled, were it not held up behind a candidate not yet applied.
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The answer went out first, then every candidate reached the connection though none has been applied yet.
    expect(sent.filter((d) => "description" in d).map((d) => "description" in d && d.description.type)).toEqual([
      "answer",
    ]);
    expect(fake.candidates).toEqual(signals.slice(1).map((s) => "candidate" in s && s.candidate));
    expect(fake.release).toHaveLength(3);
    for (const release of fake.release) release();
    pc.close();
  });
});
