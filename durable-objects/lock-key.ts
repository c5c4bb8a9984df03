/**
 * Room-lock pass phrases: how a key becomes something the Room can store without storing the key.
 *
 * The Room keeps only a salted PBKDF2-SHA256 hash. The key itself is never stored, logged or sent
 * anywhere, so a leak of Durable Object storage (or a bug that dumps it) reveals no pass phrase that
 * someone may have reused elsewhere. Runs only in workerd: it relies on `crypto.subtle.timingSafeEqual`,
 * a Workers extension to Web Crypto.
 */

/**
 * Cloudflare's production runtime rejects PBKDF2 with more than 100,000 iterations (and `wrangler dev`
 * does not enforce that, so a higher value would pass every local test and then fail after deploy).
 * 100,000 alone is modest against offline cracking, which is fine here: the hash never leaves the
 * Durable Object, and online guessing is what the failed-guess throttle (room-rules/guess-throttle.ts) stops.
 */
export const PBKDF2_ITERATIONS = 100_000;

/** The runtime's ceiling; stored locks claiming more cannot be checked there, so they never verify. */
const RUNTIME_MAX_ITERATIONS = 100_000;

/** A fresh random salt per lock: two rooms locked with the same phrase store unrelated hashes. */
export const SALT_BYTES = 16;
/** The SHA-256 output size; more bits from PBKDF2 would only cost extra rounds for no strength. */
export const HASH_BYTES = 32;

/** Below this a key is too easy even with throttling: 1,000 three-digit PINs fall in about ten days. */
export const MIN_KEY_LENGTH = 4;
/** Generous for pass phrases, small enough that nobody can make the room hash a novel. */
export const MAX_KEY_LENGTH = 256;

/**
 * What the Room stores for a lock. The iteration count travels with the hash so the constant can
 * change later without invalidating rooms that are locked at the time.
 */
export type StoredLock = {
  /** base64 */
  salt: string;
  /** base64 */
  hash: string;
  iterations: number;
};

/**
 * The form of a key that is hashed and measured. NFKC, because the same phrase typed on two devices
 * can arrive as different code points (a precomposed "é" versus "e" plus a combining accent, full-width
 * letters from an East Asian keyboard) and must still open the room. Surrounding whitespace is dropped
 * because a phrase pasted from a chat often brings an invisible trailing space or newline.
 */
export function normalizeKey(key: string): string {
  return key.normalize("NFKC").trim();
}

/** A human-readable reason why `key` cannot be used as a lock key, or null if it can. */
export function validateKey(key: string): string | null {
  const normalized = normalizeKey(key);
  const length = [...normalized].length;
  if (length === 0) return "Enter a key to lock the room.";
  if (length < MIN_KEY_LENGTH) return `The key must be at least ${MIN_KEY_LENGTH} characters long.`;
  if (length > MAX_KEY_LENGTH) return `The key must be at most ${MAX_KEY_LENGTH} characters long.`;
  // Line breaks and other control characters cannot be typed the same way on every device, so a key
  // containing them could lock people out for good.
  if (/\p{Cc}/u.test(normalized)) return "The key must not contain line breaks, tabs or other control characters.";
  return null;
}

/** Salts and hashes `key` for storage. Throws a RangeError (that never quotes the key) if it is invalid. */
export async function hashKey(key: string): Promise<StoredLock> {
  const problem = validateKey(key);
  if (problem !== null) throw new RangeError(problem);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(normalizeKey(key), salt, PBKDF2_ITERATIONS);
  return { salt: toBase64(salt), hash: toBase64(hash), iterations: PBKDF2_ITERATIONS };
}

/**
 * Whether `key` opens `lock`. A malformed lock verifies nothing rather than throwing, so a damaged
 * record can be replaced by unlocking instead of breaking the room.
 */
export async function verifyKey(key: string, lock: StoredLock): Promise<boolean> {
  // A key that could never have been set cannot match; skipping the hash for it leaks only the
  // public length rules, and keeps oversized guesses cheap.
  if (validateKey(key) !== null) return false;
  const { iterations } = lock;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > RUNTIME_MAX_ITERATIONS) return false;
  const salt = fromBase64(lock.salt);
  const expected = fromBase64(lock.hash);
  if (salt === null || salt.length === 0 || expected === null || expected.length !== HASH_BYTES) return false;
  const actual = await derive(normalizeKey(key), salt, iterations);
  // Fixed-length buffers compared in constant time, so response timing says nothing about how many
  // leading bytes of a guess's hash were right.
  return crypto.subtle.timingSafeEqual(actual, expected);
}

async function derive(normalizedKey: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(normalizedKey), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: unknown): Uint8Array | null {
  if (typeof text !== "string") return null;
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}
