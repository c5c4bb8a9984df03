/**
 * AES-GCM per encoded frame (layout in frame-format.ts). Plain classes over WebCrypto, so the same
 * code runs in the transform worker, on the main thread (the createEncodedStreams fallback) and
 * in Node's tests. Keys arrive as non-extractable CryptoKeys and are never logged.
 */
import { clearBytes, type FrameShape } from "./codec-header";
import {
  additionalData,
  ivFor,
  MAX_COUNTER,
  readTrailer,
  TAG_BYTES,
  TRAILER_BYTES,
  writeTrailer,
} from "./frame-format";
import { ReplayWindow } from "./replay-window";

/**
 * One per page: every outgoing track (audio, video, screen) goes through the same encryptor, so
 * they share one counter and can never give two frames the same IV under one key. The counter is
 * not reset when the key changes: even if the same key were set twice, no IV would repeat.
 */
export class FrameEncryptor {
  #key: { keyId: number; key: CryptoKey } | null = null;
  #counter = 0;

  setKey(generation: number, key: CryptoKey): void {
    this.#key = { keyId: generation % 256, key };
  }

  /** The encrypted frame, or null when it must not be sent: no key yet, a codec we cannot wrap, or no counter left. */
  async encrypt(frame: ArrayBuffer, shape: FrameShape): Promise<ArrayBuffer | null> {
    const current = this.#key;
    const clear = clearBytes(shape);
    if (!current || clear === null || this.#counter > MAX_COUNTER) return null;
    // Taken before the first await, so concurrent frames never share a counter.
    const counter = this.#counter++;
    const bytes = new Uint8Array(frame);
    const header = bytes.subarray(0, Math.min(clear, bytes.length));
    const trailer = writeTrailer({ counter, keyId: current.keyId, clearBytes: header.length });
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: ivFor(counter), additionalData: additionalData(header, trailer) },
      current.key,
      bytes.subarray(header.length),
    );
    const out = new Uint8Array(header.length + sealed.byteLength + TRAILER_BYTES);
    out.set(header);
    out.set(new Uint8Array(sealed), header.length);
    out.set(trailer, header.length + sealed.byteLength);
    return out.buffer;
  }
}

export type DecryptResult =
  | { ok: true; frame: ArrayBuffer; keyId: number }
  /** Why a frame was dropped: nothing of it reaches the decoder. */
  | { ok: false; reason: "malformed" | "no-key" | "forged" | "replay" | "too-old" };

/** The keys a receiver holds for one sender, by key id; the key exchange decides which. */
export type KeyLookup = (keyId: number) => CryptoKey | undefined;

/** One per incoming track: its own replay windows, the sender's keys looked up at each frame. */
export class FrameDecryptor {
  readonly #lookup: KeyLookup;
  /** Per key id, the window of the key it was made for: a new key under a reused id starts afresh. */
  readonly #windows = new Map<number, { key: CryptoKey; window: ReplayWindow }>();

  constructor(lookup: KeyLookup) {
    this.#lookup = lookup;
  }

  async decrypt(frame: ArrayBuffer): Promise<DecryptResult> {
    const bytes = new Uint8Array(frame);
    const trailer = readTrailer(bytes);
    if (!trailer) return { ok: false, reason: "malformed" };
    const key = this.#lookup(trailer.keyId);
    if (!key) return { ok: false, reason: "no-key" };
    let entry = this.#windows.get(trailer.keyId);
    if (entry?.key !== key) {
      entry = { key, window: new ReplayWindow() };
      this.#windows.set(trailer.keyId, entry);
    }
    const before = entry.window.check(trailer.counter);
    if (before !== "fresh") return { ok: false, reason: before };
    const header = bytes.subarray(0, trailer.clearBytes);
    const sealed = bytes.subarray(trailer.clearBytes, bytes.length - TRAILER_BYTES);
    let opened: ArrayBuffer;
    try {
      opened = await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: ivFor(trailer.counter),
          additionalData: additionalData(header, bytes.subarray(bytes.length - TRAILER_BYTES)),
          tagLength: TAG_BYTES * 8,
        },
        key,
        sealed,
      );
    } catch {
      return { ok: false, reason: "forged" };
    }
    // Checked again: a copy of this frame may have been authenticated while we awaited.
    const after = entry.window.check(trailer.counter);
    if (after !== "fresh") return { ok: false, reason: after };
    entry.window.accept(trailer.counter);
    const out = new Uint8Array(header.length + opened.byteLength);
    out.set(header);
    out.set(new Uint8Array(opened), header.length);
    return { ok: true, frame: out.buffer, keyId: trailer.keyId };
  }
}
