/**
 * What one connection's video really puts on the wire, against its share of the upload budget
 * (bitrate.ts). maxBitrate only bounds the encoder: retransmissions, FEC and RTP headers come on
 * top. While the encoder fills its cap, the cap is lowered by the measured overhead, and raised
 * again once it is gone. (What libwebrtc adds on its own while the encoder is below its cap, such
 * as probing on a lossy link with room to spare, maxBitrate cannot bound: see updateSendState.) The uplink's own estimate
 * (the selected pair's availableOutgoingBitrate) picks the picture size: fewer pixels at a low
 * bitrate look sharper than many starved ones, and libwebrtc only scales once quality has dropped.
 * Pure: the connection samples getStats and applies the result.
 */
import { AUDIO_RESERVE_BPS, MIN_VIDEO_BITRATE_BPS, type VideoCap } from "../media/bitrate";

/** Past the share the cap comes down by the overhead ratio… */
const OVER = 1;
/** …below this one it goes back up, a step at a time; in between nothing changes, so it does not flap. */
const UNDER = 0.8;
const RAISE_STEP = 1.25;
/** The encoder counts as filling its cap when it aims at this share of it or more. */
const NEAR_CAP = 0.85;
/** However bad the overhead, the encoder keeps a quarter of its share (the floor of bitrate.ts also holds). */
export const MIN_OVERHEAD_FACTOR = 0.25;

/** Picture sizes to step through, as scaleResolutionDownBy: full, 2/3, 1/2, 1/3, 1/4 of each side. */
const SCALES = [1, 1.5, 2, 3, 4] as const;
/** Bits per second a pixel needs: 720p at 1 Mbps, as bitrate.ts's scaleFor assumes. */
const BPS_PER_PIXEL = 1_000_000 / (1280 * 720);
/** A larger picture again only with this much room over what it needs. */
const SCALE_UP_MARGIN = 1.3;

/** One getStats() of a connection, reduced to what the send budget needs. */
export interface SendSample {
  atMs: number;
  /** bytesSent + headerBytesSent of the video streams (bytesSent already includes retransmissions). */
  videoBytes: number | null;
  /** What the video encoders aim at (outbound targetBitrate); null where the browser does not say. */
  targetBps: number | null;
  /** The selected candidate pair's estimate of the uplink, in bits per second. */
  availableBps: number | null;
  /** Width × height of the largest video source we send (the camera's real size). */
  sourcePixels: number | null;
}

export interface SendState {
  /** The previous sample, to measure the rate between two. */
  atMs: number | null;
  videoBytes: number | null;
  /** The share of the cap the encoder gets: 1 until the overhead pushes the total past the share. */
  factor: number;
  /** Picture scale the uplink calls for (1 = full size). */
  scale: number;
}

export const INITIAL_SEND_STATE: SendState = { atMs: null, videoBytes: null, factor: 1, scale: 1 };

interface StatsEntry {
  id?: string;
  type?: string;
  kind?: string;
  bytesSent?: number;
  headerBytesSent?: number;
  targetBitrate?: number;
  availableOutgoingBitrate?: number;
  selectedCandidatePairId?: string;
  selected?: boolean;
  nominated?: boolean;
  state?: string;
  width?: number;
  height?: number;
}

export function readSendSample(report: Iterable<StatsEntry>, atMs: number): SendSample {
  const entries = [...report];
  let videoBytes: number | null = null;
  let targetBps: number | null = null;
  let sourcePixels: number | null = null;
  for (const e of entries) {
    if (e.kind !== "video") continue;
    if (e.type === "outbound-rtp" && e.bytesSent !== undefined)
      videoBytes = (videoBytes ?? 0) + e.bytesSent + (e.headerBytesSent ?? 0);
    if (e.type === "outbound-rtp" && e.targetBitrate !== undefined) targetBps = (targetBps ?? 0) + e.targetBitrate;
    if (e.type === "media-source" && e.width && e.height)
      sourcePixels = Math.max(sourcePixels ?? 0, e.width * e.height);
  }
  const selectedId = entries.find((e) => e.type === "transport" && e.selectedCandidatePairId)?.selectedCandidatePairId;
  const pair =
    entries.find((e) => e.type === "candidate-pair" && e.id === selectedId) ??
    entries.find((e) => e.type === "candidate-pair" && (e.selected || (e.nominated && e.state === "succeeded")));
  return { atMs, videoBytes, targetBps, availableBps: pair?.availableOutgoingBitrate ?? null, sourcePixels };
}

/**
 * The next state after `sample`, for a connection whose video (all `senders` together) may send
 * `shareBps`.
 */
export function updateSendState(state: SendState, sample: SendSample, shareBps: number, senders = 1): SendState {
  let factor = state.factor;
  const seconds = state.atMs === null ? 0 : (sample.atMs - state.atMs) / 1000;
  // A new sender starts its counters at zero: that interval measures nothing.
  if (sample.videoBytes !== null && state.videoBytes !== null && sample.videoBytes >= state.videoBytes && seconds > 0) {
    const sentBps = (8 * (sample.videoBytes - state.videoBytes)) / seconds;
    // Only an encoder that fills its cap can be held back by it. Measured in Chromium on a lossy
    // link with room to spare: 4.6 Mbit/s on the wire while the encoder aimed at 0.48 and
    // retransmissions and headers were 3 % of it; the rest comes from libwebrtc's own bandwidth
    // probing and protection, which maxBitrate does not bound, and lowering it only starved the picture.
    const encoderAtCap = sample.targetBps !== null && sample.targetBps >= shareBps * factor * NEAR_CAP;
    if (sentBps > shareBps * OVER && encoderAtCap)
      factor = Math.max(MIN_OVERHEAD_FACTOR, (factor * shareBps) / sentBps);
    else if (sentBps < shareBps * UNDER) factor = Math.min(1, factor * RAISE_STEP);
  }
  let scale = state.scale;
  if (sample.availableBps !== null && sample.sourcePixels !== null) {
    const n = Math.max(1, senders);
    const perStream = Math.min((sample.availableBps - AUDIO_RESERVE_BPS) / n, (shareBps * factor) / n);
    scale = linkScale(perStream, sample.sourcePixels, state.scale);
  }
  return { atMs: sample.atMs, videoBytes: sample.videoBytes, factor, scale };
}

/**
 * The largest picture (smallest scale) `bps` can carry for a source of `pixels`; a larger one than
 * `previous` only with SCALE_UP_MARGIN to spare, a smaller one at once (too big a picture freezes).
 */
export function linkScale(bps: number, pixels: number, previous: number): number {
  for (const scale of SCALES) {
    const needed = (pixels / (scale * scale)) * BPS_PER_PIXEL;
    if (needed * (scale < previous ? SCALE_UP_MARGIN : 1) <= bps) return scale;
  }
  return SCALES[SCALES.length - 1] ?? 4;
}

/** The budget's cap for one sender, fitted to what the connection measured. */
export function fitVideoCap(cap: VideoCap, state: SendState): VideoCap {
  return {
    maxBitrate: Math.max(MIN_VIDEO_BITRATE_BPS, Math.floor(cap.maxBitrate * state.factor)),
    scaleResolutionDownBy: Math.max(cap.scaleResolutionDownBy, state.scale),
  };
}
