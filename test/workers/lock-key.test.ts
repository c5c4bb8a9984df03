import { describe, expect, it } from "vitest";
import {
  HASH_BYTES,
  hashKey,
  MAX_KEY_LENGTH,
  MIN_KEY_LENGTH,
  normalizeKey,
  PBKDF2_ITERATIONS,
  SALT_BYTES,
  type StoredLock,
  validateKey,
  verifyKey,
} from "../../durable-objects/lock-key";

const KEY = "correct horse battery staple";

function bytes(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function base64(data: Uint8Array | string): string {
  const raw = typeof data === "string" ? data : String.fromCharCode(...data);
  return btoa(raw);
}

describe("PBKDF2_ITERATIONS", () => {
  it("stays within the 100,000 that Cloudflare's production runtime accepts", () => {
    // wrangler dev does not enforce this limit, so only this test stands between a higher value and a
    // deploy where every lock fails.
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(10_000);
  });
});

describe("hashKey and verifyKey", () => {
  it("accept the right key and refuse a wrong one", async () => {
    const lock = await hashKey(KEY);
    expect(await verifyKey(KEY, lock)).toBe(true);
    expect(await verifyKey("correct horse battery stapler", lock)).toBe(false);
    expect(await verifyKey("Correct horse battery staple", lock)).toBe(false);
  });

  it("store a 16-byte salt, a 32-byte hash and the iteration count", async () => {
    const lock = await hashKey(KEY);
    expect(Object.keys(lock).sort()).toEqual(["hash", "iterations", "salt"]);
    expect(bytes(lock.salt)).toHaveLength(SALT_BYTES);
    expect(SALT_BYTES).toBe(16);
    expect(bytes(lock.hash)).toHaveLength(HASH_BYTES);
    expect(lock.iterations).toBe(PBKDF2_ITERATIONS);
  });

  it("salt every lock afresh, so the same key hashes differently twice", async () => {
    const [a, b] = await Promise.all([hashKey(KEY), hashKey(KEY)]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(await verifyKey(KEY, a)).toBe(true);
    expect(await verifyKey(KEY, b)).toBe(true);
  });

  it("never put the key's text in what is stored", async () => {
    const lock = await hashKey(KEY);
    const stored = JSON.stringify(lock);
    expect(stored).not.toContain(KEY);
    for (const word of KEY.split(" ")) expect(stored).not.toContain(word);
    expect(stored).not.toContain(base64(KEY));
  });

  it("treat NFKC-equivalent spellings and surrounding whitespace as the same key", async () => {
    const lock = await hashKey("Crème brûlée");
    expect(await verifyKey("Cre\u0300me bru\u0302le\u0301e", lock)).toBe(true);
    expect(await verifyKey("  Crème brûlée\n", lock)).toBe(true);
    const wide = await hashKey("ｐａｓｓ１２３４");
    expect(await verifyKey("pass1234", wide)).toBe(true);
  });

  it("compute standard PBKDF2-HMAC-SHA256 (RFC 7914 §11 test vector)", async () => {
    // P = "passwd", S = "salt", c = 1: the first 32 bytes of the published 64-byte output.
    const expected = Uint8Array.from(
      "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc".match(/../g)!,
      (hex) => Number.parseInt(hex, 16),
    );
    const lock: StoredLock = { salt: base64("salt"), hash: base64(expected), iterations: 1 };
    expect(await verifyKey("passwd", lock)).toBe(true);
    expect(await verifyKey("passwe", lock)).toBe(false);
  });

  it("refuse to hash an invalid key, without quoting it", async () => {
    await expect(hashKey("abc")).rejects.toThrow(RangeError);
    await expect(hashKey("x".repeat(MAX_KEY_LENGTH + 1))).rejects.toThrow(/at most/);
    await expect(hashKey("q7z")).rejects.not.toThrow(/q7z/);
  });

  it("verify nothing against a damaged or impossible lock, without throwing", async () => {
    const lock = await hashKey(KEY);
    const damaged: StoredLock[] = [
      { ...lock, hash: base64(bytes(lock.hash).slice(0, 31)) },
      { ...lock, hash: "not base64!" },
      { ...lock, salt: "" },
      { ...lock, iterations: 100_001 },
      { ...lock, iterations: 0 },
      { ...lock, iterations: 1.5 },
      { ...lock, hash: undefined as unknown as string },
    ];
    for (const bad of damaged) expect(await verifyKey(KEY, bad)).toBe(false);
  });

  it("refuse keys that could never have been set, whatever the lock", async () => {
    const lock = await hashKey(KEY);
    expect(await verifyKey("", lock)).toBe(false);
    expect(await verifyKey(`${KEY}${"!".repeat(MAX_KEY_LENGTH)}`, lock)).toBe(false);
  });
});

describe("validateKey", () => {
  it.each([
    "abcd",
    "1234",
    KEY,
    "x".repeat(MAX_KEY_LENGTH),
    "日本語のパス",
    "🔑🔑🔑🔑", // four characters, eight UTF-16 units
    "  padded  ",
  ])("accepts %j", (key) => {
    expect(validateKey(key)).toBeNull();
  });

  it.each([
    ["", /Enter a key/],
    ["   ", /Enter a key/],
    ["abc", new RegExp(`at least ${MIN_KEY_LENGTH} characters`)],
    ["  abc  ", /at least/],
    ["🔑🔑🔑", /at least/],
    ["x".repeat(MAX_KEY_LENGTH + 1), new RegExp(`at most ${MAX_KEY_LENGTH} characters`)],
    ["line\nbreak", /control characters/],
    ["tab\there", /control characters/],
    ["nul\u0000char", /control characters/],
  ])("refuses %j, saying why", (key, reason) => {
    expect(validateKey(key)).toMatch(reason);
  });

  it("measures the normalized key", () => {
    expect(normalizeKey("  ﬁne\n")).toBe("fine");
    // One ligature is three letters and two are six: the normalized length is what counts.
    expect(validateKey("ﬃ")).toMatch(/at least/);
    expect(validateKey("ﬃﬃ")).toBeNull();
  });
});
