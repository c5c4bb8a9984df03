/**
 * How many bytes at the start of an encoded frame stay in the clear, as in Jitsi's, Orange's and
 * SFrame's encoded transforms. The SFU and the receiving packetizer read them; everything after
 * them is encrypted.
 *
 * - VP8: the payload header. A key frame's 10 bytes (3-byte frame tag, start code, width and
 *   height) and a delta frame's 3 (frame tag): the tag says key frame or not, which an SFU needs
 *   to switch simulcast layers cleanly, and the receiver's depacketizer reads the size from a key
 *   frame. Nothing of the picture is in them.
 * - Opus: the 1-byte TOC (mode, bandwidth, frame size), which says nothing of what is spoken but
 *   keeps the packet a well-formed Opus packet for anything that inspects it.
 * - VP9 and AV1: 0 bytes. What an SFU needs (layer ids, key frame) travels in the RTP payload
 *   descriptor or the dependency descriptor, which the packetizer writes outside the frame.
 * - H.264 (and anything unknown): not supported, null. Its packetizer splits frames at NAL unit
 *   start codes inside the payload, so ciphertext would be cut at random places; SFU mode must
 *   negotiate VP8, VP9 or AV1. The transform drops such frames rather than send them in the clear.
 */

export const VP8_KEY_FRAME_CLEAR_BYTES = 10;
export const VP8_DELTA_FRAME_CLEAR_BYTES = 3;
export const AUDIO_CLEAR_BYTES = 1;

/** What the transform knows about a frame: audio frames have no `type`. */
export interface FrameShape {
  kind: "audio" | "video";
  /** For video: "key", "delta" or "empty" (RTCEncodedVideoFrame.type). */
  type?: string;
  /** From the frame's metadata where the browser reports it, e.g. "video/VP8"; may be absent. */
  mimeType?: string;
}

/** Clear bytes for a frame, or null when its codec cannot be encrypted this way. */
export function clearBytes({ kind, type, mimeType }: FrameShape): number | null {
  const codec = mimeType?.split("/")[1]?.toLowerCase();
  if (kind === "audio") return codec === undefined || codec === "opus" ? AUDIO_CLEAR_BYTES : null;
  // Chromium before M119 reported no mimeType for video frames; VP8 is what natter sends then.
  if (codec === undefined || codec === "vp8")
    return type === "key" ? VP8_KEY_FRAME_CLEAR_BYTES : VP8_DELTA_FRAME_CLEAR_BYTES;
  if (codec === "vp9" || codec === "av1") return 0;
  return null;
}
