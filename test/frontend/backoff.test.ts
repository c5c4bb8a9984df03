import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffCeiling, backoffDelay, RECONNECT_BACKOFF } from "../../frontend/call/link/backoff";

describe("reconnect back-off", () => {
  it("doubles its ceiling from 0.5 s up to the 8 s cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, 5000].map((attempt) => backoffCeiling(attempt))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000,
    ]);
  });

  it("stays within [0, ceiling) for any attempt and any random number", () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const delay = backoffDelay(attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(backoffCeiling(attempt));
        expect(delay).toBeLessThanOrEqual(RECONNECT_BACKOFF.capMs);
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
  });

  it("spreads everyone out (full jitter): the delay is the random fraction of the ceiling", () => {
    expect(backoffDelay(3, () => 0)).toBe(0);
    expect(backoffDelay(3, () => 0.25)).toBe(1000);
    expect(backoffDelay(3, () => 0.999)).toBe(3996);
    // A hundred clients dropped by the same deploy do not all come back in the same 100 ms.
    const delays = Array.from({ length: 100 }, () => backoffDelay(4));
    const buckets = new Set(delays.map((d) => Math.floor(d / 100)));
    expect(buckets.size).toBeGreaterThan(20);
  });

  it("clamps a misbehaving random source", () => {
    expect(backoffDelay(0, () => -1)).toBe(0);
    expect(backoffDelay(0, () => 7)).toBe(500);
  });
});
