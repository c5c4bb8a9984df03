/**
 * Whether a receiver has decoded anything yet: the moment a tile can switch to it without going
 * blank (sfu-route.ts moves tiles between a peer connection and the SFU only then).
 */

interface InboundStats {
  type: string;
  framesDecoded?: number;
  totalSamplesReceived?: number;
  concealedSamples?: number;
}

/** Whether `receiver` has decoded media: a video frame, or audio samples. */
export async function receiverDecodes(receiver: RTCRtpReceiver): Promise<boolean> {
  const stats = await receiver.getStats().catch(() => null);
  let decoded = false;
  // Audio counts only samples that were decoded, not the ones made up to hide a loss: frames a
  // decrypting transform drops (no key yet) still move totalSamplesReceived, as concealment.
  stats?.forEach((s: InboundStats) => {
    if (s.type !== "inbound-rtp") return;
    const heard = (s.totalSamplesReceived ?? 0) - (s.concealedSamples ?? 0);
    if ((s.framesDecoded ?? 0) > 0 || heard > 0) decoded = true;
  });
  return decoded;
}
