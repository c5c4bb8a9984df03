/**
 * The quality badge of a member shown through the SFU (peer/receiver-quality.ts), from its
 * receivers' stats. The receivers are stand-ins that return getStats() entries shaped as
 * Chromium's (an inbound-rtp, its transport and the candidate pair in use): what is tested is
 * how the module reads and compares them, not Chromium.
 */
import { describe, expect, it } from "vitest";
import { ReceiverQuality } from "../../frontend/call/peer/receiver-quality";

interface Counters {
  packetsReceived: number;
  packetsLost?: number;
  framesPerSecond?: number;
  rttS?: number;
}

/** A receiver of `kind` whose next getStats() reports `counters` (changed by the test between samples). */
function receiver(kind: "audio" | "video", counters: Counters) {
  const state = { counters };
  const fake = {
    state,
    async getStats() {
      const { packetsReceived, packetsLost = 0, framesPerSecond, rttS = 0.04 } = state.counters;
      return new Map<string, Record<string, unknown>>([
        [`in-${kind}`, { id: `in-${kind}`, type: "inbound-rtp", kind, packetsReceived, packetsLost, framesPerSecond }],
        ["T01", { id: "T01", type: "transport", selectedCandidatePairId: "CP1" }],
        ["CP1", { id: "CP1", type: "candidate-pair", currentRoundTripTime: rttS }],
      ]);
    },
  };
  return fake as typeof fake & RTCRtpReceiver;
}

const BOTH = { audio: true, video: true };

describe("the quality badge of a member shown through the SFU", () => {
  it("reads loss, frame rate and the round trip to the SFU as a peer connection's badge does", async () => {
    const audio = receiver("audio", { packetsReceived: 100 });
    const video = receiver("video", { packetsReceived: 400, framesPerSecond: 24 });
    const quality = new ReceiverQuality();
    expect(quality.quality.value).toBeNull();
    await quality.sample([audio, video], BOTH, false);
    expect(quality.quality.value).toMatchObject({ level: "good", rttMs: 40, fps: 24, stalled: false });

    // Two seconds later: 10 % of the packets since then were lost (past POOR's 8 %).
    audio.state.counters = { packetsReceived: 190, packetsLost: 10 };
    video.state.counters = { packetsReceived: 760, packetsLost: 40, framesPerSecond: 24 };
    await quality.sample([audio, video], BOTH, false);
    expect(quality.quality.value).toMatchObject({ level: "poor", lossPercent: 10 });

    // A slow link to the SFU is the member's badge too: every member comes over it.
    audio.state.counters = { packetsReceived: 290, packetsLost: 10, rttS: 0.3 };
    video.state.counters = { packetsReceived: 1160, packetsLost: 40, framesPerSecond: 24, rttS: 0.3 };
    await quality.sample([audio, video], BOTH, false);
    expect(quality.quality.value).toMatchObject({ level: "fair", rttMs: 300, lossPercent: 0 });
  });

  it("says nothing arrives when the member's packets stop, but not when it said camera and microphone are off", async () => {
    const audio = receiver("audio", { packetsReceived: 100 });
    const video = receiver("video", { packetsReceived: 400, framesPerSecond: 24 });
    const quality = new ReceiverQuality();
    await quality.sample([audio, video], BOTH, false);
    await quality.sample([audio, video], BOTH, false);
    expect(quality.quality.value).toMatchObject({ level: "poor", stalled: true });

    await quality.sample([audio, video], { audio: false, video: false }, false);
    expect(quality.quality.value).toMatchObject({ stalled: false });
  });

  it("starts over when a new pull brings new receivers, whose counters start at zero", async () => {
    const quality = new ReceiverQuality();
    await quality.sample([receiver("video", { packetsReceived: 5000, framesPerSecond: 24 })], BOTH, false);
    // The member's track pulled again: fewer packets than before, which is no outage.
    await quality.sample([receiver("video", { packetsReceived: 40, framesPerSecond: 24 })], BOTH, false);
    expect(quality.quality.value).toMatchObject({ level: "good", stalled: false });
  });

  it("is poor while our connection to the SFU is broken, however the last numbers looked", async () => {
    const video = receiver("video", { packetsReceived: 400, framesPerSecond: 24 });
    const quality = new ReceiverQuality();
    await quality.sample([video], BOTH, true);
    expect(quality.quality.value?.level).toBe("poor");
  });

  it("keeps the last badge when a receiver's stats cannot be read (its transceiver just stopped)", async () => {
    const quality = new ReceiverQuality();
    await quality.sample([receiver("video", { packetsReceived: 400, framesPerSecond: 24 })], BOTH, false);
    const stopped = {
      getStats: () => Promise.reject(new DOMException("stopped", "InvalidStateError")),
    } as unknown as RTCRtpReceiver;
    await quality.sample([stopped], BOTH, false);
    expect(quality.quality.value?.level).toBe("good");
  });
});
