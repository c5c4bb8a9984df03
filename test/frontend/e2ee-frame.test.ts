/**
 * Frame encryption for SFU mode (frontend/call/e2ee/): real WebCrypto AES-GCM, real frame
 * layouts. What the SFU may read stays readable, everything else is sealed, and a receiver drops
 * any frame that was changed, replayed, or sealed under a key it does not hold.
 */
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../../frontend/call/e2ee/base64url";
import { clearBytes, type FrameShape } from "../../frontend/call/e2ee/codec-header";
import { FrameDecryptor, FrameEncryptor } from "../../frontend/call/e2ee/frame-cipher";
import { readTrailer, TAG_BYTES, TRAILER_BYTES } from "../../frontend/call/e2ee/frame-format";
import { REPLAY_WINDOW, ReplayWindow } from "../../frontend/call/e2ee/replay-window";
import { createSenderKey } from "../../frontend/call/e2ee/sender-key";

const KEY: FrameShape = { kind: "video", type: "key", mimeType: "video/VP8" };
const DELTA: FrameShape = { kind: "video", type: "delta", mimeType: "video/VP8" };
const OPUS: FrameShape = { kind: "audio", mimeType: "audio/opus" };

/** A frame whose bytes are all different, so any byte left readable or moved shows. */
function frame(length: number, seed = 1): ArrayBuffer {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7) % 251).buffer;
}
const bytes = (buffer: ArrayBuffer | null) => new Uint8Array(buffer ?? new ArrayBuffer(0));

async function keyed() {
  const key = await createSenderKey();
  const encryptor = new FrameEncryptor();
  encryptor.setKey(0, key);
  const decryptor = new FrameDecryptor((keyId) => (keyId === 0 ? key : undefined));
  return { key, encryptor, decryptor };
}

describe("encrypting a frame", () => {
  it("leaves the codec header readable (VP8 key 10, delta 3, Opus 1) and seals the rest", async () => {
    const { encryptor } = await keyed();
    for (const [shape, clear] of [
      [KEY, 10],
      [DELTA, 3],
      [OPUS, 1],
    ] as const) {
      const plain = bytes(frame(200));
      const sealed = bytes(await encryptor.encrypt(plain.slice().buffer, shape));
      expect(sealed.length).toBe(200 + TAG_BYTES + TRAILER_BYTES);
      expect([...sealed.subarray(0, clear)]).toEqual([...plain.subarray(0, clear)]);
      // Every payload byte is different in ciphertext except by chance (1/256 each).
      const same = plain.subarray(clear).filter((byte, i) => byte === sealed[clear + i]).length;
      expect(same).toBeLessThan(10);
      expect(readTrailer(sealed)?.clearBytes).toBe(clear);
    }
  });

  it("gives every frame its own IV: one counter for all tracks, not reset when the key is set again", async () => {
    const { encryptor, key } = await keyed();
    const counters: number[] = [];
    for (const shape of [KEY, OPUS, DELTA, OPUS])
      counters.push(readTrailer(bytes(await encryptor.encrypt(frame(50), shape)))!.counter);
    encryptor.setKey(0, key);
    counters.push(readTrailer(bytes(await encryptor.encrypt(frame(50), OPUS)))!.counter);
    const concurrent = await Promise.all([1, 2, 3].map(() => encryptor.encrypt(frame(50), DELTA)));
    counters.push(...concurrent.map((sealed) => readTrailer(bytes(sealed))!.counter));
    expect(counters).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("sends nothing rather than plain frames: before a key, and for codecs it cannot wrap (H.264)", async () => {
    expect(await new FrameEncryptor().encrypt(frame(50), DELTA)).toBeNull();
    const { encryptor } = await keyed();
    expect(await encryptor.encrypt(frame(50), { kind: "video", type: "key", mimeType: "video/H264" })).toBeNull();
    expect(clearBytes({ kind: "video", type: "key", mimeType: "video/AV1" })).toBe(0);
    expect(clearBytes({ kind: "video", type: "delta" })).toBe(3);
  });

  it("handles frames shorter than their header", async () => {
    const { encryptor, decryptor } = await keyed();
    const sealed = await encryptor.encrypt(frame(4), KEY);
    const opened = await decryptor.decrypt(sealed!);
    expect(opened.ok && [...bytes(opened.frame)]).toEqual([...bytes(frame(4))]);
  });
});

describe("decrypting a frame", () => {
  it("gives back the exact frame the encoder made", async () => {
    const { encryptor, decryptor } = await keyed();
    for (const shape of [KEY, DELTA, OPUS]) {
      const opened = await decryptor.decrypt((await encryptor.encrypt(frame(300, 5), shape))!);
      expect(opened.ok).toBe(true);
      expect(opened.ok && [...bytes(opened.frame)]).toEqual([...bytes(frame(300, 5))]);
    }
  });

  it("drops a frame with any single byte changed: header, ciphertext, tag or trailer", async () => {
    const { encryptor, decryptor } = await keyed();
    const sealed = bytes(await encryptor.encrypt(frame(40), KEY));
    const reasons = new Set<string>();
    for (let i = 0; i < sealed.length; i++) {
      const tampered = sealed.slice();
      tampered[i]! ^= 0x01;
      const result = await decryptor.decrypt(tampered.buffer);
      expect(result.ok, `byte ${i}`).toBe(false);
      if (!result.ok) reasons.add(result.reason);
    }
    // A changed key id names a key the receiver does not hold; everything else fails authentication.
    expect([...reasons].sort()).toEqual(["forged", "no-key"]);
    // The untouched frame still opens: the failures above did not poison anything.
    expect((await decryptor.decrypt(sealed.buffer)).ok).toBe(true);
  });

  it("drops frames under a key it does not hold, or under the wrong key", async () => {
    const { encryptor } = await keyed();
    const other = await createSenderKey();
    const sealed = (await encryptor.encrypt(frame(100), DELTA))!;
    expect(await new FrameDecryptor(() => undefined).decrypt(sealed)).toEqual({ ok: false, reason: "no-key" });
    expect(await new FrameDecryptor(() => other).decrypt(sealed)).toEqual({ ok: false, reason: "forged" });
    expect(await new FrameDecryptor(() => other).decrypt(frame(10))).toEqual({ ok: false, reason: "malformed" });
  });

  it("drops a replayed frame, also when both copies arrive at once", async () => {
    const { encryptor, decryptor } = await keyed();
    const first = (await encryptor.encrypt(frame(60), OPUS))!;
    expect((await decryptor.decrypt(first)).ok).toBe(true);
    expect(await decryptor.decrypt(first)).toEqual({ ok: false, reason: "replay" });
    const second = (await encryptor.encrypt(frame(60), OPUS))!;
    const both = await Promise.all([decryptor.decrypt(second), decryptor.decrypt(second.slice(0))]);
    expect(both.map((result) => result.ok).sort()).toEqual([false, true]);
  });
});

describe("the replay window", () => {
  it("accepts late frames it has not seen inside the window, and nothing older", () => {
    const window = new ReplayWindow();
    for (const counter of [0, 1, 5, 3]) {
      expect(window.check(counter)).toBe("fresh");
      window.accept(counter);
    }
    expect([0, 1, 3, 5].map((c) => window.check(c))).toEqual(["replay", "replay", "replay", "replay"]);
    expect([2, 4, 6].map((c) => window.check(c))).toEqual(["fresh", "fresh", "fresh"]);
    window.accept(5 + REPLAY_WINDOW);
    expect(window.check(5)).toBe("too-old");
    expect(window.check(6)).toBe("fresh");
    expect(window.check(4)).toBe("too-old");
  });
});

describe("base64url on the wire", () => {
  it("round-trips bytes and accepts only the one canonical text", () => {
    for (const length of [0, 1, 2, 3, 12, 32, 48]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 97 + 13) % 256);
      expect([...fromBase64Url(toBase64Url(data))!]).toEqual([...data]);
    }
    expect(toBase64Url(Uint8Array.of(0xff, 0xfe))).toBe("__4");
    expect(fromBase64Url("__5")).toBeNull(); // stray low bits: a second spelling of the same bytes
    expect(fromBase64Url("ab+c")).toBeNull();
    expect(fromBase64Url("abcde")).toBeNull();
  });
});
