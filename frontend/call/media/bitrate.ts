/**
 * The upload budget of a full mesh. Everyone sends their camera separately to every other
 * person, so upload grows as (N − 1) × bitrate: left alone, a browser would aim for ~2.5 Mbps per
 * peer and a home uplink would choke at four people, taking audio down with it. Each video
 * sender is therefore capped so that the sum stays within one budget.
 */

/** Total upload for video and audio together, across all peers. */
export const VIDEO_UPLOAD_BUDGET_BPS = 2_500_000;
/**
 * Kept back per peer for audio, whose encodings are never touched: Opus needs ~32–64 kbps and a
 * call with choppy sound is worse than one with a blurry picture.
 */
export const AUDIO_RESERVE_BPS = 64_000;
/**
 * Below this a video stream is no longer worth its packets. Only a room configured far past the
 * default MAX_PEERS (8) reaches it, and then the floor wins over the budget.
 */
export const MIN_VIDEO_BITRATE_BPS = 30_000;

export interface VideoCap {
  /** For `RTCRtpEncodingParameters.maxBitrate`. */
  maxBitrate: number;
  /**
   * For `scaleResolutionDownBy`: fewer pixels at a low bitrate look sharper than many starved
   * ones, and encoding one smaller picture per peer saves a phone's CPU too.
   */
  scaleResolutionDownBy: number;
}

/**
 * The cap for each video sender when we send to `peers` other people, `sendersPerPeer` video
 * streams to each (a camera, plus a screen while sharing).
 */
export function videoCap(peers: number, budgetBps = VIDEO_UPLOAD_BUDGET_BPS, sendersPerPeer = 1): VideoCap {
  const n = Math.max(1, Math.floor(peers));
  const streams = Math.max(1, Math.floor(sendersPerPeer));
  const perPeer = (budgetBps - AUDIO_RESERVE_BPS * n) / n;
  const maxBitrate = Math.max(MIN_VIDEO_BITRATE_BPS, Math.floor(perPeer / streams));
  return { maxBitrate, scaleResolutionDownBy: scaleFor(maxBitrate) };
}

/** Roughly what a 720p camera needs per step down: 720p, 480p, 360p, 180p. */
export function scaleFor(maxBitrate: number): number {
  if (maxBitrate >= 1_000_000) return 1;
  if (maxBitrate >= 500_000) return 1.5;
  if (maxBitrate >= 250_000) return 2;
  return 4;
}

/** A screen is text and fine lines: fewer pixels would make it unreadable, so only its bitrate is capped. */
function isDetail(track: MediaStreamTrack | null): boolean {
  return track?.contentHint === "detail" || track?.contentHint === "text";
}

/**
 * Applies `cap` to one video sender. Resolves to false when the browser cannot take parameters
 * yet (a sender whose transceiver is not negotiated has no encodings): the caller tries again
 * after the next negotiation. Audio senders are left alone.
 */
export async function applyVideoCap(sender: RTCRtpSender, cap: VideoCap): Promise<boolean> {
  if (sender.track?.kind !== "video") return true;
  const parameters = sender.getParameters();
  const [first] = parameters.encodings ?? [];
  if (!first) return false;
  const scale = isDetail(sender.track) ? 1 : cap.scaleResolutionDownBy;
  if (first.maxBitrate === cap.maxBitrate && (first.scaleResolutionDownBy ?? 1) === scale) return true;
  first.maxBitrate = cap.maxBitrate;
  first.scaleResolutionDownBy = scale;
  await sender.setParameters(parameters);
  return true;
}

/**
 * The camera beside a shared screen (peer/camera-pip.ts): a thumbnail, so a thumbnail's bitrate,
 * taken out of each connection's share before the screen gets the rest (video-budget.ts).
 */
export const PIP_BITRATE_BPS = 120_000;
export const PIP_FRAME_RATE = 15;
/** The thumbnail's width: 320 × 180 from the 16:9 camera. */
export const PIP_WIDTH = 320;

/** How much to scale a camera `width` pixels wide down to the thumbnail (1 when it is small already). */
export function pipScale(width: number | undefined): number {
  return width && width > PIP_WIDTH ? width / PIP_WIDTH : 1;
}
