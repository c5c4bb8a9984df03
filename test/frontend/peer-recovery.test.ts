/**
 * The recovery parts of one peer connection: ICE restarts, re-sending an offer the peer missed,
 * noticing that the peer started over, new ICE servers, the upload budget and the quality badge.
 * The RTCPeerConnection underneath is a fake (fake-rtc.ts); the engine code is the real one.
 */
import { describe, expect, it, vi } from "vitest";
import type { SignalData } from "../../common/protocol";
import { VIDEO_UPLOAD_BUDGET_BPS, videoCap } from "../../frontend/call/media/bitrate";
import {
  DISCONNECTED_RESTART_MS,
  iceRestartDue,
  MIN_RESTART_GAP_MS,
  POLITE_EXTRA_MS,
  STALLED_RESTART_MS,
  STUCK_RESTART_MS,
  WATCHDOG_TICK_MS,
} from "../../frontend/call/peer/ice-watchdog";
import { isPolite } from "../../frontend/call/peer/negotiation";
import { dtlsFingerprint, PeerConnection } from "../../frontend/call/peer/peer-connection";
import { QUALITY_POLL_MS } from "../../frontend/call/peer/quality";
import { FakeRTCPeerConnection, fakeSdp, fakeStream, fakeTrack, useFakeRTC } from "./fake-rtc";

const LOW = "1".repeat(32);
const HIGH = "9".repeat(32);

describe("iceRestartDue", () => {
  const at = (state: RTCIceConnectionState, quietMs: number, polite = false, sinceNegotiation = 60_000) =>
    iceRestartDue({
      iceConnectionState: state,
      stateSince: 100_000 - quietMs,
      lastNegotiationAt: 100_000 - sinceNegotiation,
      polite,
      now: 100_000,
    });

  it("restarts a failed connection at once on the impolite side, a little later on the polite side", () => {
    expect(at("failed", 0)).toBe(true);
    expect(at("failed", 0, true)).toBe(false);
    expect(at("failed", POLITE_EXTRA_MS, true)).toBe(true);
  });

  it("gives a disconnected connection time to recover by itself", () => {
    expect(at("disconnected", DISCONNECTED_RESTART_MS - 1)).toBe(false);
    expect(at("disconnected", DISCONNECTED_RESTART_MS)).toBe(true);
    expect(at("disconnected", DISCONNECTED_RESTART_MS, true)).toBe(false);
    expect(at("disconnected", DISCONNECTED_RESTART_MS + POLITE_EXTRA_MS, true)).toBe(true);
  });

  it("restarts a connection that never heard a candidate, and leaves slow checks to ICE", () => {
    expect(at("new", STUCK_RESTART_MS - 1)).toBe(false);
    expect(at("new", STUCK_RESTART_MS)).toBe(true);
    // ICE's own timeout turns hopeless checks into `failed`; a busy machine's slow ones must not be started over.
    expect(at("checking", 120_000)).toBe(false);
  });

  it("leaves working connections alone", () => {
    for (const state of ["connected", "completed", "closed"] as const) expect(at(state, 600_000)).toBe(false);
  });

  it("restarts a connected connection on which nothing arrives any more (Chromium→Firefox after a restart)", () => {
    const stalled = (state: RTCIceConnectionState, stalledForMs: number, polite = false, sinceNegotiation = 60_000) =>
      iceRestartDue({
        iceConnectionState: state,
        stateSince: 0,
        lastNegotiationAt: 100_000 - sinceNegotiation,
        polite,
        now: 100_000,
        stalledSince: 100_000 - stalledForMs,
      });
    for (const state of ["connected", "completed"] as const) {
      expect(stalled(state, STALLED_RESTART_MS - 1)).toBe(false);
      expect(stalled(state, STALLED_RESTART_MS)).toBe(true);
      expect(stalled(state, STALLED_RESTART_MS, true)).toBe(false);
      expect(stalled(state, STALLED_RESTART_MS + POLITE_EXTRA_MS, true)).toBe(true);
    }
    // The stall of the peer's own restart: give that negotiation its time first.
    expect(stalled("connected", 60_000, false, MIN_RESTART_GAP_MS - 1)).toBe(false);
    expect(stalled("closed", 60_000)).toBe(false);
  });

  it("does not interrupt a negotiation that is still settling", () => {
    expect(at("failed", 60_000, false, MIN_RESTART_GAP_MS - 1)).toBe(false);
    // A recent negotiation also restarts the clock of a disconnected connection.
    expect(at("disconnected", 60_000, false, DISCONNECTED_RESTART_MS + 1)).toBe(false);
  });
});

describe("dtlsFingerprint", () => {
  it("reads the fingerprint line of an SDP", () => {
    expect(dtlsFingerprint(fakeSdp("AB:CD"))).toBe("sha-256 ab:cd");
    expect(dtlsFingerprint("v=0\r\n")).toBeNull();
    expect(dtlsFingerprint(undefined)).toBeNull();
  });
});

/** A connection from `self` to `peer` with a camera, and the signals it sends. */
function connection({
  self = HIGH,
  peer = LOW,
  canSignal = (): boolean => true,
  awaitFirstOffer = false,
}: {
  self?: string;
  peer?: string;
  canSignal?: () => boolean;
  awaitFirstOffer?: boolean;
} = {}) {
  const sent: SignalData[] = [];
  const tracks = [fakeTrack("audio"), fakeTrack("video")];
  const pc = new PeerConnection({
    selfId: self,
    peerId: peer,
    localStream: fakeStream(tracks),
    sendSignal: (data) => sent.push(data),
    canSignal,
    awaitFirstOffer,
  });
  const fake = FakeRTCPeerConnection.created.at(-1)!;
  const offers = () => sent.filter((d) => "description" in d && d.description.type === "offer");
  return { pc, fake, sent, offers };
}

const answer = (fingerprint = "REMOTE"): SignalData => ({ description: { type: "answer", sdp: fakeSdp(fingerprint) } });
const offer = (fingerprint = "REMOTE"): SignalData => ({ description: { type: "offer", sdp: fakeSdp(fingerprint) } });

/** Negotiated and connected, long enough ago that a restart is allowed. */
async function connected(options: Parameters<typeof connection>[0] = {}) {
  const c = connection(options);
  await vi.advanceTimersByTimeAsync(0);
  expect(c.offers()).toHaveLength(1);
  await c.pc.handleSignal(answer());
  c.fake.setIceState("connected");
  await vi.advanceTimersByTimeAsync(MIN_RESTART_GAP_MS);
  return c;
}

describe("PeerConnection recovery", () => {
  useFakeRTC({ fakeTimers: true });

  it("restarts ICE through a new offer when the connection fails (impolite side first)", async () => {
    expect(isPolite(HIGH, LOW)).toBe(false);
    const { fake, offers } = await connected();

    fake.setIceState("failed");
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.restarts).toBe(1);
    // restartIce → negotiationneeded → the perfect-negotiation offer.
    expect(offers()).toHaveLength(2);
    expect(fake.signalingState).toBe("have-local-offer");
  });

  it("on the polite side, leaves the first move to the other end", async () => {
    const { pc, fake, offers } = await connected({ self: LOW, peer: HIGH });
    fake.setIceState("failed");
    await vi.advanceTimersByTimeAsync(POLITE_EXTRA_MS - WATCHDOG_TICK_MS);
    expect(fake.restarts).toBe(0);

    // The impolite side's restart offer arrives: that is the repair, no second one.
    await pc.handleSignal(offer());
    fake.setIceState("checking");
    await vi.advanceTimersByTimeAsync(POLITE_EXTRA_MS * 2);
    expect(fake.restarts).toBe(0);
    expect(offers()).toHaveLength(1);
  });

  it("on the polite side, restarts itself when the other end does not", async () => {
    const { fake } = await connected({ self: LOW, peer: HIGH });
    fake.setIceState("failed");
    await vi.advanceTimersByTimeAsync(POLITE_EXTRA_MS + WATCHDOG_TICK_MS);
    expect(fake.restarts).toBe(1);
  });

  it("restarts a connected connection whose peer stopped arriving, and not one that only went quiet", async () => {
    const { fake } = await connected();
    const inbound = (packetsReceived: number) => [{ id: "A", type: "inbound-rtp", kind: "audio", packetsReceived }];
    // Packets keep coming (a muted microphone still sends silence): no restart, however long.
    for (let i = 1; i <= 10; i++) {
      fake.stats = inbound(100 + 50 * i);
      await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    }
    expect(fake.restarts).toBe(0);

    // Then nothing more, while ICE still says connected.
    await vi.advanceTimersByTimeAsync(STALLED_RESTART_MS);
    expect(fake.restarts).toBe(0);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS + WATCHDOG_TICK_MS);
    expect(fake.restarts).toBe(1);
  });

  it("never counts a peer that has sent nothing yet as stalled", async () => {
    const { fake } = await connected();
    fake.stats = [{ id: "A", type: "inbound-rtp", kind: "audio", packetsReceived: 0 }];
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.restarts).toBe(0);
  });

  it("waits out a short disconnection, and restarts a long one", async () => {
    const { fake } = await connected();
    fake.setIceState("disconnected");
    await vi.advanceTimersByTimeAsync(DISCONNECTED_RESTART_MS - WATCHDOG_TICK_MS);
    fake.setIceState("connected");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.restarts).toBe(0);

    fake.setIceState("disconnected");
    await vi.advanceTimersByTimeAsync(DISCONNECTED_RESTART_MS + WATCHDOG_TICK_MS);
    expect(fake.restarts).toBe(1);
  });

  it("keeps trying while it stays broken, but not more often than the restart gap", async () => {
    const { fake, offers } = await connected();
    fake.setIceState("failed");
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.restarts).toBe(1);
    // The restart offer is never answered (the peer's network is down too).
    await vi.advanceTimersByTimeAsync(MIN_RESTART_GAP_MS - WATCHDOG_TICK_MS);
    expect(offers()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2 * WATCHDOG_TICK_MS);
    // The same offer again, not a new one: its answer may only be late, and must still fit.
    expect(offers()).toHaveLength(3);
    expect(offers()[2]).toEqual(offers()[1]);
    expect(fake.restarts).toBe(1);
    expect(fake.history).not.toContain("rollback");
  });

  it("sends an offer again when its answer does not come, and drops the late duplicate answer", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const { pc, fake, offers } = connection();
    await vi.advanceTimersByTimeAsync(0);
    expect(offers()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(STUCK_RESTART_MS + WATCHDOG_TICK_MS);
    expect(offers()).toHaveLength(2);
    expect(offers()[1]).toEqual(offers()[0]);
    expect(fake.restarts).toBe(0);

    // Both copies get answered: the first answer settles the offer, the second is stale.
    await pc.handleSignal(answer());
    await pc.handleSignal(answer());
    expect(fake.signalingState).toBe("stable");
    expect(error).not.toHaveBeenCalled();
  });

  it("restarts ICE on a negotiated connection that never heard a candidate", async () => {
    const { pc, fake, offers } = connection();
    await vi.advanceTimersByTimeAsync(0);
    await pc.handleSignal(answer());
    await vi.advanceTimersByTimeAsync(STUCK_RESTART_MS + WATCHDOG_TICK_MS);
    expect(fake.restarts).toBe(1);
    expect(offers()).toHaveLength(2);
  });

  it("does not restart while our own room socket is down, and does once it is back", async () => {
    let up = true;
    const { fake } = await connected({ canSignal: () => up });
    up = false;
    fake.setIceState("failed");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fake.restarts).toBe(0);
    up = true;
    await vi.advanceTimersByTimeAsync(WATCHDOG_TICK_MS);
    expect(fake.restarts).toBe(1);
  });

  it("never restarts while still waiting for the first offer (that has its own fallback)", async () => {
    const { fake, offers } = connection({ awaitFirstOffer: true });
    fake.setIceState("checking");
    await vi.advanceTimersByTimeAsync(4_000);
    expect(fake.restarts).toBe(0);
    expect(offers()).toHaveLength(0);
  });

  it("sends its unanswered offer again when the peer comes back from a dropped socket", async () => {
    const { pc, offers } = connection();
    await vi.advanceTimersByTimeAsync(0);
    expect(offers()).toHaveLength(1);
    pc.peerReturned();
    expect(offers()).toHaveLength(2);
    expect(offers()[1]).toEqual(offers()[0]);

    await pc.handleSignal(answer());
    pc.peerReturned();
    expect(offers()).toHaveLength(2);
  });

  it("tells an offer from the peer's new connection from a renegotiation of the current one", async () => {
    const { pc } = await connected();
    expect(pc.isFromAnotherConnection(offer("REMOTE"))).toBe(false);
    expect(pc.isFromAnotherConnection(offer("SOMEONE-NEW"))).toBe(true);
    expect(pc.isFromAnotherConnection(answer("SOMEONE-NEW"))).toBe(false);
    expect(pc.isFromAnotherConnection({ candidate: null })).toBe(false);
    // Nothing to compare with yet: just the first offer.
    const fresh = connection({ awaitFirstOffer: true });
    expect(fresh.pc.isFromAnotherConnection(offer("ANY"))).toBe(false);
  });

  it("takes new ICE servers without losing the rest of its configuration", () => {
    const { pc, fake } = connection();
    fake.config = { ...fake.config, iceTransportPolicy: "relay", bundlePolicy: "max-bundle" };
    const servers = [{ urls: ["turn:turn.example.test:3478"], username: "u", credential: "c" }];
    pc.setIceServers(servers);
    expect(fake.config).toMatchObject({ iceServers: servers, iceTransportPolicy: "relay", bundlePolicy: "max-bundle" });
  });

  it("caps its video sender to its share of the upload budget, and follows the number of peers", async () => {
    const { pc, fake } = connection();
    const [audio, video] = fake.senders;
    await vi.advanceTimersByTimeAsync(0);
    await pc.handleSignal(answer());
    pc.setVideoBudget(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(video?.parameters.encodings[0]).toEqual(videoCap(3));
    expect(audio?.applied).toEqual([]);

    pc.setVideoBudget(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(video?.parameters.encodings[0]?.maxBitrate).toBe(videoCap(1).maxBitrate);
    expect(videoCap(1).maxBitrate).toBeLessThanOrEqual(VIDEO_UPLOAD_BUDGET_BPS);
  });

  it("bounds what it sends, padding and probing included, by its share: the peer's description is applied with it", async () => {
    const { pc, fake } = connection({ self: LOW, peer: HIGH });
    pc.setVideoBudget(2);
    await vi.advanceTimersByTimeAsync(0);
    const sdp = `${fakeSdp("REMOTE")}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n`;
    await pc.handleSignal({ description: { type: "offer", sdp } });
    const share = VIDEO_UPLOAD_BUDGET_BPS / 2;
    expect(fake.remoteDescription?.sdp).toBe(
      sdp.replace(
        "c=IN IP4 0.0.0.0\r\na=mid:1",
        `c=IN IP4 0.0.0.0\r\nb=AS:${share / 1000}\r\nb=TIAS:${share}\r\na=mid:1`,
      ),
    );
    // What we send the peer is the browser's own description: local SDP is never changed.
    const sent = fake.localDescription?.sdp;
    expect(sent).toBeDefined();
    expect(sent).not.toContain("b=AS");
  });

  it("sets no parameters while a negotiation runs, and caps once the answer is applied", async () => {
    const { pc, fake } = connection();
    const video = fake.senders[1]!;
    pc.setVideoBudget(2);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    // Our offer is out: a setParameters now would race the answer's changes to the sender.
    expect(fake.signalingState).toBe("have-local-offer");
    expect(video.applied).toEqual([]);

    // Chromium says `stable` before the answer is fully applied; the cap waits for the answer.
    let appliedAtStable: number | null = null;
    const onStable = fake.onsignalingstatechange;
    fake.onsignalingstatechange = () => {
      onStable?.();
      appliedAtStable = video.applied.length;
    };
    await pc.handleSignal(answer());
    await vi.advanceTimersByTimeAsync(0);
    expect(appliedAtStable).toBe(0);
    expect(video.applied).toEqual([[videoCap(2)]]);

    // A later renegotiation (an ICE restart) is no time for it either, even when a poll comes.
    pc.setVideoBudget(3);
    fake.restartIce();
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    expect(fake.signalingState).toBe("have-local-offer");
    expect(video.applied).toHaveLength(1);
    await pc.handleSignal(answer());
    await vi.advanceTimersByTimeAsync(0);
    expect(video.parameters.encodings[0]).toEqual(videoCap(3));
  });

  it("lowers the cap when what it really sends (retransmissions, FEC, headers) exceeds its share", async () => {
    const { pc, fake } = connection();
    const video = fake.senders[1]!;
    await vi.advanceTimersByTimeAsync(0);
    await pc.handleSignal(answer());
    pc.setVideoBudget(1);
    fake.setIceState("connected");
    const share = videoCap(1).maxBitrate;
    let sent = 0;
    // A lossy link with room to spare: 4.5 Mbps of video on the wire against a 2.4 Mbps cap.
    const sending = (bps: number) => {
      sent += (bps * QUALITY_POLL_MS) / 1000 / 8;
      fake.stats = [
        {
          id: "OV",
          type: "outbound-rtp",
          kind: "video",
          bytesSent: sent * 0.95,
          headerBytesSent: sent * 0.05,
          // The encoder fills whatever cap it has: the overhead comes on top of it.
          targetBitrate: video.parameters.encodings[0]?.maxBitrate ?? share,
        },
      ];
    };
    sending(4_500_000);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    expect(video.parameters.encodings[0]?.maxBitrate).toBe(share);
    sending(4_500_000);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    const lowered = video.parameters.encodings[0]?.maxBitrate ?? share;
    expect(lowered).toBeLessThan(share * 0.6);
    expect(lowered * (4_500_000 / share)).toBeLessThanOrEqual(share * 1.01);
    // The loss is over and the total falls well within the share: the cap climbs back to it.
    for (let i = 0; i < 6; i++) {
      sending(share * 0.4);
      await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    }
    expect(video.parameters.encodings[0]?.maxBitrate).toBe(share);
  });

  it("applies the cap once negotiation gives the sender its encodings", async () => {
    const { pc, fake } = connection();
    const video = fake.senders[1]!;
    video.parameters.encodings = [];
    pc.setVideoBudget(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(video.applied).toEqual([]);

    video.parameters.encodings = [{}];
    await pc.handleSignal(answer());
    await vi.advanceTimersByTimeAsync(0);
    expect(video.parameters.encodings[0]).toEqual(videoCap(2));
  });

  it("rates the connection from getStats every couple of seconds, once it has connected", async () => {
    const { pc, fake } = connection();
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    expect(pc.quality.value).toBeNull();

    const stats = (received: number, lost: number, rtt: number) => [
      { id: "T", type: "transport", selectedCandidatePairId: "P" },
      { id: "P", type: "candidate-pair", currentRoundTripTime: rtt },
      {
        id: "V",
        type: "inbound-rtp",
        kind: "video",
        packetsReceived: received,
        packetsLost: lost,
        framesPerSecond: 30,
      },
    ];
    fake.setIceState("connected");
    fake.stats = stats(1000, 0, 0.04);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    expect(pc.quality.value).toEqual({ level: "good", rttMs: 40, lossPercent: 0, fps: 30, stalled: false });

    fake.stats = stats(1090, 10, 0.04);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    expect(pc.quality.value?.level).toBe("poor");
    expect(pc.quality.value?.lossPercent).toBeCloseTo(10);

    pc.close();
    fake.stats = stats(2000, 10, 0.04);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS * 3);
    expect(pc.quality.value?.level).toBe("poor");
  });

  it("says no media arrives during an outage while ICE still says connected, and recovers with the link", async () => {
    const { pc, fake } = connection();
    const stats = (received: number) => [
      { id: "T", type: "transport", selectedCandidatePairId: "P" },
      { id: "P", type: "candidate-pair", currentRoundTripTime: 0.04 },
      { id: "V", type: "inbound-rtp", kind: "video", packetsReceived: received, packetsLost: 0, framesPerSecond: 24 },
    ];
    fake.setIceState("connected");
    fake.stats = stats(1000);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    fake.stats = stats(1100);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    expect(pc.quality.value?.level).toBe("good");
    // The link goes: every counter stops, the pair keeps its last round trip, ICE has not noticed yet.
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    expect(pc.quality.value).toMatchObject({ level: "poor", stalled: true, rttMs: null });
    fake.stats = stats(1150);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    expect(pc.quality.value).toMatchObject({ level: "good", stalled: false });
    // The peer turned camera and microphone off: its silence is no outage.
    pc.expectMedia({ video: false, audio: false });
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    expect(pc.quality.value?.stalled).toBe(false);
  });
});
