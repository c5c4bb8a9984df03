/**
 * A session that published (with the browser's extension numbers) and then pulls: the pulled
 * track's m-section must number each extension as the session already does, or Chromium refuses
 * the SFU's offer for the whole BUNDLE group.
 */

import { describe, expect, it } from "vitest";
import { RTCRtpHeaderExtensionParameters } from "werift";
import { bundleConsistentExtensions } from "../../tooling/sfu-standin/bundle-extensions";

const MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
const ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
const RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
const LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
const ext = (uri: string, id?: number) => new RTCRtpHeaderExtensionParameters({ uri, ...(id && { id }) });

describe("header extension ids of a pulled track", () => {
  it("reuse the numbers the session's published m-sections give each extension", () => {
    // As Chromium numbers them in a publish offer.
    const published = [
      [ext(LEVEL, 1), ext(ABS, 2), ext(MID, 4)],
      [ext(ABS, 2), ext(MID, 4), ext(RID, 10)],
    ];
    const pulled = bundleConsistentExtensions(published, [ext(MID), ext(ABS), ext(RID)]);
    expect(pulled.map(({ uri, id }) => [uri, id])).toEqual([
      [MID, 4],
      [ABS, 2],
      [RID, 10],
    ]);
  });

  it("give an extension the session has not seen a number no other extension uses", () => {
    const pulled = bundleConsistentExtensions([[ext(LEVEL, 1), ext(MID, 2)]], [ext(MID), ext(ABS)]);
    expect(pulled.map(({ uri, id }) => [uri, id])).toEqual([
      [MID, 2],
      [ABS, 3],
    ]);
  });

  it("leave out an extension when all fourteen one-byte ids are taken", () => {
    const full = [Array.from({ length: 14 }, (_, i) => ext(`urn:x:${i}`, i + 1))];
    expect(bundleConsistentExtensions(full, [ext(MID)])).toEqual([]);
  });
});
