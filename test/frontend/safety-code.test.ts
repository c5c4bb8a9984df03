import { describe, expect, it } from "vitest";
import {
  canonicalFingerprint,
  SAFETY_CODE_BITS,
  SAFETY_CODE_DIGITS,
  safetyCode,
} from "../../frontend/call/safety-code";

const fp = (seed: number) => ({
  algorithm: "sha-256",
  // The seed's four bytes first, then filler: distinct seeds give distinct fingerprints.
  value: Array.from({ length: 32 }, (_, i) =>
    (i < 4 ? (seed >>> (8 * i)) & 0xff : (i * 7) % 256).toString(16).padStart(2, "0"),
  )
    .join(":")
    .toUpperCase(),
});

describe("safety codes", () => {
  it("are the same on both ends of a connection", async () => {
    const [a, b] = [fp(1), fp(2)];
    expect(await safetyCode(a, b)).toBe(await safetyCode(b, a));
  });

  it("change when either fingerprint changes", async () => {
    const code = await safetyCode(fp(1), fp(2));
    expect(await safetyCode(fp(3), fp(2))).not.toBe(code);
    expect(await safetyCode(fp(1), fp(4))).not.toBe(code);
    // A man in the middle gives each side its own certificate: the two sides' codes differ.
    const mallory = fp(9);
    expect(await safetyCode(fp(1), mallory)).not.toBe(await safetyCode(mallory, fp(2)));
  });

  it("ignore how a browser formats the fingerprint", async () => {
    const a = fp(1);
    const lower = { algorithm: "SHA-256", value: a.value.toLowerCase() };
    expect(canonicalFingerprint(lower)).toBe(canonicalFingerprint(a));
    expect(await safetyCode(lower, fp(2))).toBe(await safetyCode(a, fp(2)));
  });

  it(`show ${SAFETY_CODE_DIGITS} digits in groups of three, at least 30 bits`, async () => {
    const code = await safetyCode(fp(1), fp(2));
    expect(code).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(SAFETY_CODE_BITS).toBeGreaterThanOrEqual(30);
    expect(SAFETY_CODE_BITS).toBeCloseTo(39.86, 1);
  });

  it("spread over the whole range (no collisions in 2,000 pairs)", async () => {
    const codes = new Set<string>();
    for (let n = 0; n < 2_000; n++) codes.add(await safetyCode(fp(n), fp(n + 100_000)));
    expect(codes.size).toBe(2_000);
  });
});
