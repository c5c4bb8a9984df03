/**
 * The layout of an encrypted frame, modelled on SFrame (RFC 9605) but with a fixed trailer, since
 * the frame's start belongs to the codec (codec-header.ts):
 *
 *   clear header (n bytes) ‖ AES-GCM ciphertext ‖ 16-byte tag ‖ counter (6 bytes) ‖ key id ‖ n
 *
 * The AES-GCM additional data is the clear header plus the trailer, so changing any byte of the
 * frame, the header the SFU reads included, makes it fail authentication. `n` in the trailer lets
 * the receiver decrypt without guessing the codec, and is authenticated like the rest.
 *
 * The 96-bit IV is six zero bytes and the 48-bit counter. It is unique per key because every
 * sender key is fresh random, used by exactly one encryptor, whose counter only ever counts up
 * (frame-cipher.ts): 2^48 frames is 89,000 years at 100 frames a second.
 */

export const TAG_BYTES = 16;
export const COUNTER_BYTES = 6;
export const TRAILER_BYTES = COUNTER_BYTES + 2;
export const IV_BYTES = 12;
export const MAX_COUNTER = 2 ** (8 * COUNTER_BYTES) - 1;

export interface Trailer {
  counter: number;
  /** The sender key's generation modulo 256: receivers hold only the last few. */
  keyId: number;
  clearBytes: number;
}

export function writeTrailer({ counter, keyId, clearBytes }: Trailer): Uint8Array<ArrayBuffer> {
  const trailer = new Uint8Array(TRAILER_BYTES);
  for (let i = COUNTER_BYTES - 1, rest = counter; i >= 0; i--, rest = Math.floor(rest / 256)) trailer[i] = rest % 256;
  trailer[COUNTER_BYTES] = keyId;
  trailer[COUNTER_BYTES + 1] = clearBytes;
  return trailer;
}

/** The trailer of an encrypted frame, or null if the frame is too short to be one. */
export function readTrailer(frame: Uint8Array): Trailer | null {
  if (frame.length < TRAILER_BYTES + TAG_BYTES) return null;
  const trailer = frame.subarray(frame.length - TRAILER_BYTES);
  let counter = 0;
  for (let i = 0; i < COUNTER_BYTES; i++) counter = counter * 256 + trailer[i]!;
  const clearBytes = trailer[COUNTER_BYTES + 1]!;
  if (frame.length < clearBytes + TAG_BYTES + TRAILER_BYTES) return null;
  return { counter, keyId: trailer[COUNTER_BYTES]!, clearBytes };
}

export function ivFor(counter: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(IV_BYTES);
  iv.set(writeTrailer({ counter, keyId: 0, clearBytes: 0 }).subarray(0, COUNTER_BYTES), IV_BYTES - COUNTER_BYTES);
  return iv;
}

/** The additional data: what stays readable, and the trailer that says how to decrypt. */
export function additionalData(clear: Uint8Array, trailer: Uint8Array): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(clear.length + trailer.length);
  aad.set(clear);
  aad.set(trailer, clear.length);
  return aad;
}
