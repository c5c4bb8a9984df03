/**
 * Whether a receiver has decoded its media steadily enough for a tile to switch to it without
 * going blank (sfu-route.ts moves tiles between a peer connection and the SFU only then).
 */

/**
 * Video frames a new path must have decoded before a tile switches to it: not the first one,
 * which may be a lone key frame before the SFU settles on the tile's layer (a layer change waits
 * for a key frame of its own); a few more show that frames keep coming.
 */
export const FRAMES_BEFORE_SWITCH = 8;

/** How long one receiver's stats may take before it counts as not decoding (this time round). */
export const STATS_TIMEOUT_MS = 2_000;

interface InboundStats {
  type: string;
  framesDecoded?: number;
  totalSamplesReceived?: number;
  concealedSamples?: number;
}

/** Whether `receiver` has decoded media: FRAMES_BEFORE_SWITCH video frames, or audio samples. */
export async function receiverDecodes(receiver: RTCRtpReceiver): Promise<boolean> {
  // Bounded: the route checks its tiles one after another, and one stats call that never settles
  // (a receiver being torn down) must not stop every later check.
  const stats = await Promise.race([
    receiver.getStats().catch(() => null),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), STATS_TIMEOUT_MS)),
  ]);
  let decoded = false;
  // Audio counts only samples that were decoded, not the ones made up to hide a loss: frames a
  // decrypting transform drops (no key yet) still move totalSamplesReceived, as concealment.
  stats?.forEach((s: InboundStats) => {
    if (s.type !== "inbound-rtp") return;
    const heard = (s.totalSamplesReceived ?? 0) - (s.concealedSamples ?? 0);
    if ((s.framesDecoded ?? 0) >= FRAMES_BEFORE_SWITCH || heard > 0) decoded = true;
  });
  return decoded;
}
