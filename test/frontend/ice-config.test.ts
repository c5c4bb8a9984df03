import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { iceRefreshDelay, MIN_REFRESH_DELAY_MS, REFRESH_MARGIN_MS } from "../../frontend/call/ice-config";

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

describe("when to refresh TURN credentials", () => {
  it("never, when they do not expire (STUN only)", () => {
    expect(iceRefreshDelay(null, NOW)).toBeNull();
  });

  it("at 80% of a long lifetime", () => {
    expect(iceRefreshDelay(NOW + HOUR, NOW)).toBe(0.8 * HOUR);
  });

  it("at least a minute before a short lifetime ends", () => {
    // 80% of 4 min would leave only 48 s.
    expect(iceRefreshDelay(NOW + 4 * 60_000, NOW)).toBe(3 * 60_000);
  });

  it("soon, but not in a tight loop, when they are (nearly) expired already", () => {
    expect(iceRefreshDelay(NOW + 30_000, NOW)).toBe(MIN_REFRESH_DELAY_MS);
    expect(iceRefreshDelay(NOW - HOUR, NOW)).toBe(MIN_REFRESH_DELAY_MS);
  });

  it("always before expiry when there is room for it, never past the timer limit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * 24 * HOUR }), (left) => {
        const delay = iceRefreshDelay(NOW + left, NOW)!;
        expect(delay).toBeGreaterThanOrEqual(MIN_REFRESH_DELAY_MS);
        expect(delay).toBeLessThanOrEqual(2 ** 31 - 1);
        if (left >= REFRESH_MARGIN_MS + MIN_REFRESH_DELAY_MS) {
          expect(left - delay).toBeGreaterThanOrEqual(Math.min(REFRESH_MARGIN_MS, left));
        }
      }),
    );
  });
});
