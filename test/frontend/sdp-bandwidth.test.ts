import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withVideoBandwidth } from "../../frontend/call/peer/sdp-bandwidth";
import chromium from "./fixtures/sdp-chromium.json";
import firefox from "./fixtures/sdp-firefox.json";
import { sections } from "./sdp-sections";

const videoSection = (sdp: string) => sections(sdp).find((lines) => lines[0]?.startsWith("m=video ")) ?? [];
const withoutBandwidth = (sdp: string) =>
  sdp
    .split("\r\n")
    .filter((line) => !line.startsWith("b="))
    .join("\r\n");

describe("withVideoBandwidth", () => {
  for (const [browser, fixture] of [
    ["Chromium", chromium],
    ["Firefox", firefox],
  ] as const) {
    for (const type of ["offer", "answer"] as const) {
      it(`bounds the video section of a real ${browser} ${type}, after its c= line, and touches nothing else`, () => {
        const original = fixture[type];
        const bounded = withVideoBandwidth(original, 1_250_000);
        const video = videoSection(bounded);
        const c = video.findIndex((line) => line.startsWith("c="));
        expect(c).toBeGreaterThan(0);
        expect(video.slice(c + 1, c + 3)).toEqual(["b=AS:1250", "b=TIAS:1250000"]);
        expect(video.filter((line) => line.startsWith("b="))).toHaveLength(2);
        // Audio, the data channels and the session level carry no bound.
        for (const lines of sections(bounded).filter((lines) => !lines[0]?.startsWith("m=video ")))
          expect(lines.filter((line) => line.startsWith("b="))).toEqual([]);
        // Apart from the two lines, the description is the browser's, byte for byte.
        expect(withoutBandwidth(bounded)).toBe(original);
        expect(bounded.endsWith("\r\n")).toBe(true);
      });
    }
  }

  it("replaces a bound the description already had, so applying it again changes nothing", () => {
    const once = withVideoBandwidth(chromium.offer, 2_500_000);
    expect(withVideoBandwidth(once, 2_500_000)).toBe(once);
    const lowered = withVideoBandwidth(once, 1_186_000);
    expect(videoSection(lowered).filter((line) => line.startsWith("b="))).toEqual(["b=AS:1186", "b=TIAS:1186000"]);
  });

  it("holds for any bound: two lines in every video section, nothing else changed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 100_000_000 }),
        fc.constantFrom(chromium.offer, firefox.answer),
        (bps, sdp) => {
          const bounded = withVideoBandwidth(sdp, bps);
          expect(withoutBandwidth(bounded)).toBe(sdp);
          expect(videoSection(bounded)).toContain(`b=AS:${Math.floor(bps / 1000)}`);
          expect(videoSection(bounded)).toContain(`b=TIAS:${bps}`);
          expect(withVideoBandwidth(bounded, bps)).toBe(bounded);
        },
      ),
    );
  });

  it("leaves a description without video as it is", () => {
    const audioOnly = chromium.offer.split("m=video")[0] ?? "";
    expect(audioOnly).toContain("m=audio");
    expect(withVideoBandwidth(audioOnly, 1_000_000)).toBe(audioOnly);
  });

  it("refuses a bound that would mean sending nothing, with a clear error", () => {
    for (const bad of [0, 999, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => withVideoBandwidth(chromium.offer, bad)).toThrow(/≥ 1000 bit\/s/);
  });
});
