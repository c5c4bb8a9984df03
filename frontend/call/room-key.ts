import { MAX_KEY_LENGTH, MIN_KEY_LENGTH } from "../../common/protocol";
import { type Problem, problem } from "../i18n/problem";

/**
 * Crockford's base32 in lower case: no i, l, o or u, so nothing is misread as 1 or 0 when a
 * key is read aloud or copied by hand. 32 symbols divide 256 evenly, so masking a random byte
 * to 5 bits picks each symbol with exactly equal chance (no modulo bias).
 */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const GROUPS = 4;
const GROUP_LENGTH = 4;

/**
 * 16 symbols × 5 bits. Far more than online guessing needs (the room throttles wrong keys to
 * under a hundred a day), so even a leaked hash would be beyond offline cracking.
 */
export const SUGGESTED_KEY_BITS = GROUPS * GROUP_LENGTH * Math.log2(ALPHABET.length);

export type RandomBytes = (bytes: Uint8Array<ArrayBuffer>) => void;

/** A strong key to offer when someone locks a room, such as "7kqm-x2pa-9vht-c4wd". */
export function suggestRoomKey(random: RandomBytes = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = new Uint8Array(GROUPS * GROUP_LENGTH);
  random(bytes);
  const symbols = [...bytes].map((byte) => ALPHABET[byte & 31]);
  const groups: string[] = [];
  for (let i = 0; i < symbols.length; i += GROUP_LENGTH) groups.push(symbols.slice(i, i + GROUP_LENGTH).join(""));
  return groups.join("-");
}

/**
 * Why the room would refuse `key` (for the page to word), or null. Mirrors the room's own rules (surrounding
 * space ignored, length in characters, no control characters) so that a typo costs no try.
 */
export function roomKeyProblem(key: string): Problem | null {
  const trimmed = key.normalize("NFKC").trim();
  if (trimmed.length === 0) return problem("keyEmpty");
  if ([...trimmed].length < MIN_KEY_LENGTH) return problem("keyTooShort", { min: MIN_KEY_LENGTH });
  if (key.length > MAX_KEY_LENGTH) return problem("keyTooLong", { max: MAX_KEY_LENGTH });
  if (/\p{Cc}/u.test(trimmed)) return problem("keyControl");
  return null;
}
