import { describe, expect, it } from "vitest";
import {
  classifyQuality,
  type QualitySample,
  qualityMetrics,
  readQualitySample,
} from "../../frontend/call/peer/quality";
import { describeQuality } from "../../frontend/i18n/problems";

const metrics = (rttMs: number | null, lossPercent: number | null, fps: number | null, stalled = false) => ({
  rttMs,
  lossPercent,
  fps,
  stalled,
});

describe("classifying connection quality", () => {
  it("is good with short round trips, no loss and smooth video", () => {
    expect(classifyQuality(metrics(40, 0, 30))).toBe("good");
    expect(classifyQuality(metrics(249, 1.9, 20))).toBe("good");
  });

  it("is fair when any one of them starts to suffer", () => {
    expect(classifyQuality(metrics(250, 0, 30))).toBe("fair");
    expect(classifyQuality(metrics(40, 2, 30))).toBe("fair");
    expect(classifyQuality(metrics(40, 0, 19))).toBe("fair");
  });

  it("is poor when any one of them is bad, whatever the others", () => {
    expect(classifyQuality(metrics(500, 0, 30))).toBe("poor");
    expect(classifyQuality(metrics(20, 8, 30))).toBe("poor");
    expect(classifyQuality(metrics(20, 0, 5))).toBe("poor");
    expect(classifyQuality(metrics(20, 0, 30), true)).toBe("poor");
  });

  it("is poor when media is expected and nothing arrives, however good the last numbers were", () => {
    expect(classifyQuality(metrics(null, null, null, true))).toBe("poor");
  });

  it("judges only what it knows (no video is not bad video)", () => {
    expect(classifyQuality(metrics(null, null, null))).toBe("good");
    expect(classifyQuality(metrics(60, 0.5, null))).toBe("good");
  });
});

/** A Chromium-shaped report: transport → selected pair, inbound streams per kind. */
function report({ rtt = 0.05, audio = [500, 0], video = [1000, 0], fps = 30 as number | null } = {}) {
  return [
    { id: "T01", type: "transport", selectedCandidatePairId: "CP1" },
    { id: "CP0", type: "candidate-pair", state: "failed", currentRoundTripTime: 9 },
    { id: "CP1", type: "candidate-pair", state: "succeeded", nominated: true, currentRoundTripTime: rtt },
    { id: "IA", type: "inbound-rtp", kind: "audio", packetsReceived: audio[0], packetsLost: audio[1] },
    {
      id: "IV",
      type: "inbound-rtp",
      kind: "video",
      packetsReceived: video[0],
      packetsLost: video[1],
      // Chromium leaves the field out while nothing decodes.
      ...(fps !== null && { framesPerSecond: fps }),
    },
  ];
}

describe("reading getStats", () => {
  it("takes the round trip of the pair the transport selected, and sums the inbound streams", () => {
    expect(readQualitySample(report())).toEqual({
      rttMs: 50,
      packetsReceived: 1500,
      packetsLost: 0,
      videoPacketsReceived: 1000,
      fps: 30,
    });
  });

  it("falls back to a nominated, succeeded pair, then to the remote reports' round trip", () => {
    const noTransport = report({ rtt: 0.12 }).filter((e) => e.type !== "transport");
    expect(readQualitySample(noTransport).rttMs).toBe(120);
    const noPairRtt = [
      { type: "candidate-pair", state: "succeeded", nominated: true },
      { type: "remote-inbound-rtp", roundTripTime: 0.2 },
    ];
    expect(readQualitySample(noPairRtt).rttMs).toBe(200);
    expect(readQualitySample([]).rttMs).toBeNull();
  });

  it("measures loss between two samples, not since the call began", () => {
    // A long clean call, then 10% loss in the last interval.
    const before: QualitySample = readQualitySample(report({ audio: [50_000, 0], video: [100_000, 0] }));
    const after = readQualitySample(report({ audio: [50_090, 10], video: [100_180, 20] }));
    expect(qualityMetrics(before, after).lossPercent).toBeCloseTo(10);
    expect(qualityMetrics(null, after).lossPercent).toBeLessThan(0.1);
  });

  it("has no frame rate while no video arrives, or when the peer's camera is off", () => {
    const before = readQualitySample(report({ video: [1000, 0] }));
    const stalled = readQualitySample(report({ video: [1000, 0], fps: null }));
    expect(qualityMetrics(before, stalled).fps).toBeNull();
    const frozen = readQualitySample(report({ video: [1100, 0], fps: null }));
    expect(qualityMetrics(before, frozen).fps).toBe(0);
    const cameraOff = { video: false, audio: true };
    expect(qualityMetrics(before, readQualitySample(report({ video: [1100, 0], fps: 1 })), cameraOff).fps).toBeNull();
  });

  it("calls a total outage a stall: no packet between two samples while the peer's camera or mic is on", () => {
    // Chromium's report in an outage: every total frozen, the pair's last round trip kept, no frame rate.
    const before = readQualitySample(report({ audio: [5_000, 0], video: [20_000, 0], rtt: 0.04 }));
    const outage = readQualitySample(report({ audio: [5_000, 0], video: [20_000, 0], rtt: 0.04, fps: null }));
    const during = qualityMetrics(before, outage, { video: true, audio: true });
    expect(during).toEqual({ rttMs: null, lossPercent: null, fps: null, stalled: true });
    expect(classifyQuality(during)).toBe("poor");
    expect(describeQuality({ ...during, level: classifyQuality(during) }).label).toBe("No media arriving");
    // Microphone on, camera off: audio alone is expected, and its silence is a stall too.
    expect(qualityMetrics(before, outage, { video: false, audio: true }).stalled).toBe(true);
  });

  it("is no stall when nothing is expected, on the first sample, or when anything at all arrives", () => {
    const before = readQualitySample(report({ audio: [5_000, 0], video: [20_000, 0] }));
    const same = readQualitySample(report({ audio: [5_000, 0], video: [20_000, 0], fps: null }));
    // Camera and microphone off: a silent peer is no outage.
    expect(qualityMetrics(before, same, { video: false, audio: false }).stalled).toBe(false);
    expect(qualityMetrics(null, readQualitySample(report({ audio: [0, 0], video: [0, 0] }))).stalled).toBe(false);
    // Audio still trickles in while video froze: a frozen picture (fps 0), not a dead link.
    const audioOnly = readQualitySample(report({ audio: [5_050, 0], video: [20_000, 0], fps: null }));
    expect(qualityMetrics(before, audioOnly).stalled).toBe(false);
    expect(qualityMetrics(before, audioOnly).rttMs).toBe(50);
  });

  it("never reports loss with nothing expected", () => {
    const same = readQualitySample(report());
    expect(qualityMetrics(same, same).lossPercent).toBeNull();
  });
});

describe("describing quality", () => {
  it("names the level and gives the numbers", () => {
    expect(describeQuality({ level: "fair", rttMs: 310, lossPercent: 2.345, fps: 24.6, stalled: false })).toEqual({
      label: "Connection fair",
      details: "round trip 310 ms, packet loss 2.3%, 25 fps",
    });
    expect(describeQuality({ level: "good", rttMs: null, lossPercent: null, fps: null, stalled: false }).details).toBe(
      "round trip unknown, packet loss unknown, no video",
    );
  });

  it("says plainly when nothing arrives, instead of numbers that are stale", () => {
    expect(describeQuality({ level: "poor", rttMs: null, lossPercent: null, fps: null, stalled: true })).toEqual({
      label: "No media arriving",
      details: "no audio or video has arrived for the last few seconds",
    });
  });
});
