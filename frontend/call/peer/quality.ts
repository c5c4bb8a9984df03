/**
 * Connection quality per remote peer, from what getStats() says about the link (round-trip time
 * of the candidate pair in use), what arrives (packet loss) and what is decoded (frame rate).
 * Counters in getStats are totals since the connection started, so loss is measured between
 * two samples: an hour of a perfect call must not hide the last two seconds of a bad one.
 */

export type QualityLevel = "good" | "fair" | "poor";

export interface QualityMetrics {
  /** Round-trip time of the selected candidate pair; null before one is selected. */
  rttMs: number | null;
  /** Packets lost out of those expected since the previous sample (audio and video), in percent. */
  lossPercent: number | null;
  /** Decoded video frames per second; null when no video arrives (the camera is off). */
  fps: number | null;
  /**
   * The peer's camera or microphone is on, yet not one packet arrived since the previous sample:
   * the link is down. Loss cannot tell (nothing is known missing until later packets arrive) and
   * the pair's round trip is the last one measured, so without this an outage would look "good".
   */
  stalled: boolean;
}

/** What the peer says it sends (camera or shared screen, microphone): what must keep arriving. */
export interface MediaExpected {
  video: boolean;
  audio: boolean;
}

export interface ConnectionQuality extends QualityMetrics {
  level: QualityLevel;
}

/** How often the tiles' indicators are refreshed while in a call. */
export const QUALITY_POLL_MS = 2_000;

/** At or past these, the connection is "fair"… */
export const FAIR = { rttMs: 250, lossPercent: 2, fps: 20 } as const;
/** …and at or past these, "poor". Roughly where conversation starts to stumble and motion to stutter. */
export const POOR = { rttMs: 500, lossPercent: 8, fps: 10 } as const;

/** The worst of the three decides: good round trips do not make up for a frozen picture. */
export function classifyQuality({ rttMs, lossPercent, fps, stalled }: QualityMetrics, iceBroken = false): QualityLevel {
  if (iceBroken || stalled) return "poor";
  const at = (limits: typeof FAIR | typeof POOR) =>
    (rttMs !== null && rttMs >= limits.rttMs) ||
    (lossPercent !== null && lossPercent >= limits.lossPercent) ||
    (fps !== null && fps < limits.fps);
  if (at(POOR)) return "poor";
  if (at(FAIR)) return "fair";
  return "good";
}

/** The totals one getStats() call yields, kept so that the next sample can be compared with it. */
export interface QualitySample {
  rttMs: number | null;
  packetsReceived: number;
  packetsLost: number;
  videoPacketsReceived: number;
  fps: number | null;
}

/** The fields of RTCStats this module reads; everything is optional because browsers differ. */
interface StatsEntry {
  id?: string;
  type?: string;
  kind?: string;
  state?: string;
  nominated?: boolean;
  selected?: boolean;
  selectedCandidatePairId?: string;
  currentRoundTripTime?: number;
  roundTripTime?: number;
  packetsReceived?: number;
  packetsLost?: number;
  framesPerSecond?: number;
}

/** Reads one getStats() report (any iterable of its entries, so tests can pass plain objects). */
export function readQualitySample(report: Iterable<StatsEntry>): QualitySample {
  const entries = [...report];
  const byId = new Map(entries.filter((e) => e.id !== undefined).map((e) => [e.id, e]));
  // The pair in use is named by the transport; Firefox marks it `selected` instead.
  const selectedIds = entries.filter((e) => e.type === "transport").map((e) => e.selectedCandidatePairId);
  const pair =
    selectedIds.map((id) => byId.get(id)).find((e) => e?.type === "candidate-pair") ??
    entries.find((e) => e.type === "candidate-pair" && (e.selected || (e.nominated && e.state === "succeeded")));
  let rtt = pair?.currentRoundTripTime;
  if (rtt === undefined) {
    // No pair RTT yet: the sender reports' round trip is the next best thing.
    rtt = entries.find((e) => e.type === "remote-inbound-rtp" && e.roundTripTime !== undefined)?.roundTripTime;
  }
  const sample: QualitySample = {
    rttMs: rtt === undefined ? null : Math.round(rtt * 1000),
    packetsReceived: 0,
    packetsLost: 0,
    videoPacketsReceived: 0,
    fps: null,
  };
  for (const e of entries) {
    if (e.type !== "inbound-rtp") continue;
    sample.packetsReceived += e.packetsReceived ?? 0;
    // packetsLost can go negative with duplicates; it is a total, clamped per stream.
    sample.packetsLost += Math.max(0, e.packetsLost ?? 0);
    if (e.kind === "video") {
      sample.videoPacketsReceived += e.packetsReceived ?? 0;
      if (e.framesPerSecond !== undefined) sample.fps = (sample.fps ?? 0) + e.framesPerSecond;
    }
  }
  return sample;
}

/**
 * What happened between two samples (or since the start, for the first one). `expected.video` is
 * false when the peer said its camera is off: a disabled track still sends a trickle of black
 * frames, whose frame rate says nothing about the connection.
 */
export function qualityMetrics(
  previous: QualitySample | null,
  current: QualitySample,
  expected: MediaExpected = { video: true, audio: true },
): QualityMetrics {
  const received = current.packetsReceived - (previous?.packetsReceived ?? 0);
  const lost = current.packetsLost - (previous?.packetsLost ?? 0);
  const counted = Math.max(0, received) + Math.max(0, lost);
  const videoArrived = current.videoPacketsReceived - (previous?.videoPacketsReceived ?? 0) > 0;
  // A microphone sends ~50 packets a second, a camera dozens: two seconds of none is no lull.
  const stalled = previous !== null && (expected.video || expected.audio) && received <= 0;
  if (stalled) return { rttMs: null, lossPercent: null, fps: null, stalled };
  return {
    stalled,
    rttMs: current.rttMs,
    lossPercent: counted > 0 ? (100 * Math.max(0, lost)) / counted : null,
    // No video packets: the camera is off or the track was removed, which says nothing about quality.
    // Chromium omits framesPerSecond while nothing decodes, so a stall with packets arriving counts as 0.
    fps: expected.video && videoArrived ? (current.fps ?? 0) : null,
  };
}
