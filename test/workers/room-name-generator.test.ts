import { describe, expect, it } from "vitest";
import { MAX_ROOM_NAME_LENGTH, normalizeRoomName } from "../../common/room-name";
import {
  CREATURES,
  entropyExplanation,
  generateRoomName,
  isEasyToGuess,
  KINDS,
  LOOKS,
  MOODS,
  ROOM_NAME_ENTROPY_BITS,
  ROOM_NAME_SLOTS,
  randomIndex,
  THINGS,
  VERBS,
} from "../../common/room-name-generator";

const LISTS = { MOODS, LOOKS, CREATURES, VERBS, KINDS, THINGS };

describe("word lists", () => {
  it("are the slots, in phrase order", () => {
    expect(ROOM_NAME_SLOTS).toEqual([MOODS, LOOKS, CREATURES, VERBS, KINDS, THINGS]);
  });

  it.each(Object.entries(LISTS))("%s is non-empty, lowercase a–z only, without duplicates", (_name, list) => {
    expect(list.length).toBeGreaterThan(0);
    for (const word of list) expect(word).toMatch(/^[a-z]+$/);
    expect(new Set(list).size).toBe(list.length);
  });

  it("cannot build a name longer than a room name may be", () => {
    const longest = ROOM_NAME_SLOTS.reduce((sum, list) => sum + Math.max(...list.map((w) => w.length)), 0);
    expect(longest + ROOM_NAME_SLOTS.length - 1).toBeLessThanOrEqual(MAX_ROOM_NAME_LENGTH);
  });
});

describe("entropy", () => {
  it("is at least 48 bits, computed from the list sizes", () => {
    const fromSizes = ROOM_NAME_SLOTS.map((list) => Math.log2(list.length)).reduce((a, b) => a + b, 0);
    expect(ROOM_NAME_ENTROPY_BITS).toBe(fromSizes);
    expect(ROOM_NAME_ENTROPY_BITS).toBeGreaterThanOrEqual(48);
  });

  it("is explained with its arithmetic", () => {
    const explanation = entropyExplanation();
    expect(explanation).toContain(`${ROOM_NAME_SLOTS.length} words`);
    expect(explanation).toContain(`${Math.floor(ROOM_NAME_ENTROPY_BITS)}`);
    expect(explanation).toMatch(/bits/);
    // Today's lists, so the README's sentence can be checked against this one.
    expect(explanation).toBe(
      "6 words, each picked at random from a list of 256 (8 bits): 6 × 8 = 48 bits, about 2.8 × 10^14 possible names.",
    );
  });
});

describe("generateRoomName", () => {
  const DRAWS = 100_000;
  const names = Array.from({ length: DRAWS }, () => generateRoomName());

  it(`never repeats in ${DRAWS.toLocaleString("en")} draws`, () => {
    expect(new Set(names).size).toBe(DRAWS);
  });

  it("always follows the pattern and is already a normalized, not-easy-to-guess room name", () => {
    const slotSets = ROOM_NAME_SLOTS.map((list) => new Set(list));
    const fits = (name: string) => {
      const parts = name.split("-");
      return parts.length === slotSets.length && parts.every((word, slot) => slotSets[slot]!.has(word));
    };
    const normalized = (name: string) => {
      const result = normalizeRoomName(name);
      return result.ok && result.name === name;
    };
    // Collected rather than asserted one by one: 100,000 names × several expects is slow to report.
    const misfits = names.filter((name) => !fits(name) || !normalized(name) || isEasyToGuess(name));
    expect(misfits).toEqual([]);
  });

  it("uses every word of the first slot about equally often", () => {
    const counts = new Map<string, number>();
    for (const name of names) {
      const word = name.slice(0, name.indexOf("-"));
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    const expected = DRAWS / MOODS.length;
    const chiSquare = MOODS.reduce((sum, word) => sum + ((counts.get(word) ?? 0) - expected) ** 2 / expected, 0);
    // 255 degrees of freedom: mean 255, so 400 is far in the tail (p < 1e-7) for a fair draw.
    expect(chiSquare).toBeLessThan(400);
  });
});

describe("randomIndex", () => {
  /** A fake random source that hands out the given 32-bit values in order. */
  function sequence(...values: number[]) {
    let next = 0;
    const source = (array: Uint32Array) => {
      array[0] = values[next++]!;
    };
    return { source, used: () => next };
  }

  it("rejects draws from the incomplete top band instead of folding them (no modulo bias)", () => {
    // 2^32 mod 3 = 1, so 0xFFFFFFFF is the one value that would make 0 more likely than 1 or 2.
    const random = sequence(0xffffffff, 5);
    expect(randomIndex(3, random.source)).toBe(2);
    expect(random.used()).toBe(2);
  });

  it("never rejects for power-of-two sizes", () => {
    const random = sequence(0xffffffff);
    expect(randomIndex(256, random.source)).toBe(255);
    expect(random.used()).toBe(1);
  });

  it("is unbiased with real randomness where plain modulo would be badly skewed", () => {
    // For n = 3·2^30, `value % n` would land in [0, 2^30) half the time instead of a third.
    const n = 3 * 2 ** 30;
    const draws = 30_000;
    let low = 0;
    for (let i = 0; i < draws; i++) if (randomIndex(n) < 2 ** 30) low++;
    expect(low / draws).toBeGreaterThan(0.3);
    expect(low / draws).toBeLessThan(0.37);
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 32 + 1])("refuses n = %s", (n) => {
    expect(() => randomIndex(n)).toThrow(RangeError);
  });

  it("accepts the extremes 1 and 2^32", () => {
    expect(randomIndex(1)).toBe(0);
    expect(randomIndex(2 ** 32, sequence(0xffffffff).source)).toBe(0xffffffff);
  });
});
