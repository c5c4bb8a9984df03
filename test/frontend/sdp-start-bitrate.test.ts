import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withVideoStartBitrate } from "../../frontend/call/peer/sdp-start-bitrate";
import chromium from "./fixtures/sdp-chromium.json";
import firefox from "./fixtures/sdp-firefox.json";
import { sections } from "./sdp-sections";

/** Payload type → codec name, and payload type → fmtp parameters, of one section. */
function codecs(lines: string[]): { names: Map<string, string>; fmtp: Map<string, string[]> } {
  const names = new Map<string, string>();
  const fmtp = new Map<string, string[]>();
  for (const line of lines) {
    const rtpmap = line.match(/^a=rtpmap:(\d+) ([^/]+)\//);
    if (rtpmap?.[1] && rtpmap[2]) names.set(rtpmap[1], rtpmap[2].toLowerCase());
    const params = line.match(/^a=fmtp:(\d+) (.*)$/);
    if (params?.[1] && params[2] !== undefined) fmtp.set(params[1], [...(fmtp.get(params[1]) ?? []), params[2]]);
  }
  return { names, fmtp };
}

const START = "x-google-start-bitrate";
/** The description with the parameter taken out again (and an fmtp line that held nothing else gone). */
const without = (sdp: string) =>
  sdp
    .split("\r\n")
    .flatMap((line) => {
      const fmtp = line.match(/^(a=fmtp:\d+) (.*)$/);
      if (!fmtp) return [line];
      const params = (fmtp[2] ?? "").split(";").filter((p) => !p.startsWith(`${START}=`));
      return params.length === 0 ? [] : [`${fmtp[1]} ${params.join(";")}`];
    })
    .join("\r\n");

describe("withVideoStartBitrate", () => {
  for (const [browser, fixture] of [
    ["Chromium", chromium],
    ["Firefox", firefox],
  ] as const) {
    for (const type of ["offer", "answer"] as const) {
      it(`starts every video codec of a real ${browser} ${type} at the rate, and touches nothing else`, () => {
        const original = fixture[type];
        const started = withVideoStartBitrate(original, 600_000);
        for (const lines of sections(started)) {
          const { names, fmtp } = codecs(lines);
          const isVideo = lines[0]?.startsWith("m=video ") ?? false;
          for (const [pt, name] of names) {
            const params = fmtp.get(pt) ?? [];
            // One fmtp line per codec at most, as the SDP grammar wants.
            expect(params.length).toBeLessThanOrEqual(1);
            const carries = (params[0] ?? "").split(";").filter((p) => p.startsWith(`${START}=`));
            if (isVideo && ["vp8", "vp9", "av1", "h264", "h265"].includes(name))
              expect(carries).toEqual([`${START}=600`]);
            else expect(carries).toEqual([]);
          }
          if (isVideo) expect(names.size).toBeGreaterThan(0);
        }
        // Take the parameter out again and the description is the browser's, byte for byte.
        expect(without(started)).toBe(original);
        expect(started.endsWith("\r\n")).toBe(true);
      });
    }
  }

  it("replaces a start the description already had, so applying it again changes nothing", () => {
    const once = withVideoStartBitrate(chromium.offer, 600_000);
    expect(withVideoStartBitrate(once, 600_000)).toBe(once);
    const lowered = withVideoStartBitrate(once, 250_000);
    expect(lowered).not.toContain(`${START}=600`);
    expect(lowered.split(`${START}=250`).length).toBe(once.split(`${START}=600`).length);
  });

  it("keeps a codec's own parameters and adds the start after them", () => {
    const started = withVideoStartBitrate(chromium.offer, 600_000);
    expect(started).toContain(
      `a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f;${START}=600\r\n`,
    );
    expect(started).toContain(`a=rtpmap:96 VP8/90000\r\na=fmtp:96 ${START}=600\r\n`);
    // Retransmission and error correction take none.
    expect(started).toContain("a=fmtp:97 apt=96\r\n");
    expect(started).not.toMatch(/a=fmtp:(118|120) /);
  });

  it("refuses a rate that would mean nothing", () => {
    for (const bad of [0, 999, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => withVideoStartBitrate(chromium.offer, bad)).toThrow(RangeError);
  });

  it("holds for any rate: the parameter on every video codec, in kbit/s", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 50_000_000 }),
        fc.constantFrom(chromium.answer, firefox.offer),
        (bps, sdp) => {
          const started = withVideoStartBitrate(sdp, bps);
          expect(without(started)).toBe(sdp);
          const kbps = Math.floor(bps / 1000);
          const found = started.match(new RegExp(`${START}=(\\d+)`, "g")) ?? [];
          expect(found.length).toBeGreaterThan(0);
          expect(new Set(found)).toEqual(new Set([`${START}=${kbps}`]));
        },
      ),
    );
  });
});
