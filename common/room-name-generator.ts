/**
 * Suggested room names: random, fun to say, and hard to guess.
 *
 * A room is public to anyone who knows its URL, so the suggested name is the first line of defence
 * (the lock is the second). Talky's names carried about 16 bits; ours carry at least 48, so that
 * someone sweeping names at a thousand guesses a second would need thousands of years to hit one
 * particular live room.
 *
 * It runs in the browser (the home page's suggestion and its "New name" button), loaded lazily, so
 * that the server never sees a suggested name; it uses nothing but `crypto.getRandomValues`, so it
 * also runs in the Worker's tests.
 */
import { CREATURES, KINDS, LOOKS, MOODS, THINGS, VERBS } from "./room-name-words";

export { CREATURES, KINDS, LOOKS, MOODS, THINGS, VERBS } from "./room-name-words";

/** One list per word of the name, in the order the words appear. */
export const ROOM_NAME_SLOTS: readonly (readonly string[])[] = Object.freeze([
  MOODS,
  LOOKS,
  CREATURES,
  VERBS,
  KINDS,
  THINGS,
]);

/**
 * Entropy of a suggested name in bits, derived from the list sizes rather than written down, so that
 * editing a list can never silently leave a stale claim behind. Each slot is drawn uniformly and
 * independently, and the hyphen-free words split back into their slots unambiguously, so the bits
 * simply add up.
 */
export const ROOM_NAME_ENTROPY_BITS: number = ROOM_NAME_SLOTS.reduce((bits, list) => bits + Math.log2(list.length), 0);

/**
 * Fills `array` with cryptographically strong random values; replaceable in tests only. Typed on a
 * plain ArrayBuffer because the DOM's getRandomValues refuses views of a SharedArrayBuffer.
 */
export type RandomSource = (array: Uint32Array<ArrayBuffer>) => void;

const cryptoSource: RandomSource = (array) => {
  crypto.getRandomValues(array);
};

const TWO_TO_32 = 2 ** 32;

/**
 * A uniformly random integer in [0, n), for 1 ≤ n ≤ 2³².
 *
 * `random % n` alone would favour small results whenever n does not divide 2³² (modulo bias), so
 * draws from the incomplete top band are rejected and redrawn. For power-of-two list sizes the band
 * is empty and nothing is ever rejected; for other sizes fewer than half the draws are, so the loop
 * ends quickly.
 */
export function randomIndex(n: number, random: RandomSource = cryptoSource): number {
  if (!Number.isInteger(n) || n < 1 || n > TWO_TO_32) {
    throw new RangeError(`randomIndex needs an integer from 1 to 2^32, got ${n}`);
  }
  const limit = TWO_TO_32 - (TWO_TO_32 % n);
  const buffer = new Uint32Array(1);
  for (;;) {
    random(buffer);
    const value = buffer[0]!;
    if (value < limit) return value % n;
  }
}

/** A fresh random name such as "sleepy-orange-otters-juggle-lemon-teapots". */
export function generateRoomName(random: RandomSource = cryptoSource): string {
  return ROOM_NAME_SLOTS.map((list) => list[randomIndex(list.length, random)]!).join("-");
}

function formatBits(bits: number): string {
  return Number.isInteger(bits) ? String(bits) : bits.toFixed(2);
}

/**
 * The entropy arithmetic in words, for the README and the home page, e.g.
 * "6 words, each picked at random from a list of 256 (8 bits): 6 × 8 = 48 bits, about 2.8 × 10^14 possible names."
 */
export function entropyExplanation(): string {
  const sizes = ROOM_NAME_SLOTS.map((list) => list.length);
  const total = formatBits(ROOM_NAME_ENTROPY_BITS);
  const [mantissa, exponent] = (2 ** ROOM_NAME_ENTROPY_BITS).toExponential(1).split("e+");
  const count = `about ${mantissa} × 10^${exponent} possible names`;
  const first = sizes[0]!;
  if (sizes.every((size) => size === first)) {
    const bits = formatBits(Math.log2(first));
    return `${sizes.length} words, each picked at random from a list of ${first} (${bits} bits): ${sizes.length} × ${bits} = ${total} bits, ${count}.`;
  }
  const terms = sizes.map((size) => formatBits(Math.log2(size))).join(" + ");
  return `${sizes.length} words picked at random from lists of ${sizes.join(", ")}: ${terms} = ${total} bits, ${count}.`;
}

export { COMMON_ROOM_NAMES, EASY_NAME_LENGTH, EASY_SINGLE_WORD_LENGTH, isEasyToGuess } from "./room-name-hint";
