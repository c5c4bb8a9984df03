import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUDIO_RESERVE_BPS, MIN_VIDEO_BITRATE_BPS, videoCap } from "../../frontend/call/media/bitrate";
import {
  fitVideoCap,
  INITIAL_SEND_STATE,
  linkScale,
  MIN_OVERHEAD_FACTOR,
  readSendSample,
  updateSendState,
} from "../../frontend/call/peer/send-budget";

/** A Chromium-shaped report of what one connection sends: outbound streams and the selected pair. */
function report({ video = 0, header = 0, audio = 0, available = null as number | null } = {}) {
  return [
    { id: "S", type: "media-source", kind: "video", width: 960, height: 540 },
    { id: "T", type: "transport", selectedCandidatePairId: "P" },
    { id: "P", type: "candidate-pair", ...(available !== null && { availableOutgoingBitrate: available }) },
    { id: "OA", type: "outbound-rtp", kind: "audio", bytesSent: audio, headerBytesSent: 12 },
    // retransmittedBytesSent is a part of bytesSent (webrtc-stats): adding it would count it twice.
    {
      id: "OV",
      type: "outbound-rtp",
      kind: "video",
      bytesSent: video,
      headerBytesSent: header,
      retransmittedBytesSent: 9,
      targetBitrate: 700_000,
    },
  ];
}

/** Bytes that many seconds at `bps` put on the wire. */
const bytes = (bps: number, seconds: number) => (bps * seconds) / 8;

/** Runs the controller over samples 2 s apart, each with the video sent at the given rate. */
function run(
  state: typeof INITIAL_SEND_STATE,
  share: number,
  rates: number[],
  startMs = 0,
  startBytes = 0,
): typeof INITIAL_SEND_STATE {
  let s = state;
  let total = startBytes;
  rates.forEach((bps, i) => {
    total += bytes(bps, 2);
    s = updateSendState(
      s,
      { atMs: startMs + 2_000 * (i + 1), videoBytes: total, targetBps: share, availableBps: null, sourcePixels: null },
      share,
    );
  });
  return s;
}

describe("reading what a connection sends", () => {
  it("counts the video bytes on the wire (payload with retransmissions, plus headers) and the link's estimate", () => {
    expect(readSendSample(report({ video: 1_000, header: 100, audio: 5_000, available: 900_000 }), 42)).toEqual({
      atMs: 42,
      videoBytes: 1_100,
      targetBps: 700_000,
      availableBps: 900_000,
      sourcePixels: 960 * 540,
    });
    expect(readSendSample([], 1)).toEqual({
      atMs: 1,
      videoBytes: null,
      targetBps: null,
      availableBps: null,
      sourcePixels: null,
    });
  });
});

describe("keeping what is really sent within the share", () => {
  const share = videoCap(1).maxBitrate;

  it("lowers the cap by the overhead ratio when retransmissions and FEC push the total past the share", () => {
    // The lossy link of #12: 4.5 Mbps on the wire against a 2.4 Mbps cap.
    const first = updateSendState(
      INITIAL_SEND_STATE,
      { atMs: 0, videoBytes: 0, targetBps: share, availableBps: null, sourcePixels: null },
      share,
    );
    const over = run(first, share, [4_500_000]);
    expect(over.factor).toBeCloseTo(share / 4_500_000, 2);
    expect(fitVideoCap(videoCap(1), over).maxBitrate).toBeLessThan(share * 0.6);
  });

  it("leaves the cap alone near the share (hysteresis) and raises it step by step once the overhead is gone", () => {
    const first = updateSendState(
      INITIAL_SEND_STATE,
      { atMs: 0, videoBytes: 0, targetBps: share, availableBps: null, sourcePixels: null },
      share,
    );
    const lowered = run(first, share, [share * 2]);
    expect(lowered.factor).toBeCloseTo(0.5, 2);
    // Near the share, within the band: no change either way.
    expect(run(lowered, share, [share * 0.98, share * 0.85], 2_000, bytes(share * 2, 2)).factor).toBeCloseTo(0.5, 2);
    // The loss is over: the total falls well under the share, and the cap climbs back, never past it.
    const calm = run(lowered, share, [share * 0.5, share * 0.5, share * 0.5, share * 0.5], 2_000, bytes(share * 2, 2));
    expect(calm.factor).toBeGreaterThan(0.9);
    expect(calm.factor).toBeLessThanOrEqual(1);
  });

  it("never adds up to more than the share for long, whatever the overhead (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 3, noNaN: true }), (overhead) => {
        // A sender that always fills its cap and adds `overhead` on top of it.
        let s = updateSendState(
          INITIAL_SEND_STATE,
          { atMs: 0, videoBytes: 0, targetBps: share, availableBps: null, sourcePixels: null },
          share,
        );
        let total = 0;
        let sent = 0;
        for (let i = 1; i <= 6; i++) {
          sent = fitVideoCap(videoCap(1), s).maxBitrate * overhead;
          total += bytes(sent, 2);
          s = updateSendState(
            s,
            { atMs: 2_000 * i, videoBytes: total, targetBps: share, availableBps: null, sourcePixels: null },
            share,
          );
        }
        expect(sent).toBeLessThanOrEqual(share + 1);
        expect(s.factor).toBeGreaterThanOrEqual(MIN_OVERHEAD_FACTOR);
      }),
    );
  });

  it("leaves the cap alone when the encoder aims well below it: the excess is not its doing", () => {
    // Chromium on a lossy link with room to spare: 4.6 Mbit/s on the wire, the encoder at 0.48.
    const first = updateSendState(
      INITIAL_SEND_STATE,
      { atMs: 0, videoBytes: 0, targetBps: 480_000, availableBps: null, sourcePixels: null },
      share,
    );
    const next = updateSendState(
      first,
      { atMs: 2_000, videoBytes: bytes(4_600_000, 2), targetBps: 480_000, availableBps: null, sourcePixels: null },
      share,
    );
    expect(next.factor).toBe(1);
    // A browser that does not report the target: no lowering on a guess.
    const unknown = updateSendState(
      first,
      { atMs: 2_000, videoBytes: bytes(4_600_000, 2), targetBps: null, availableBps: null, sourcePixels: null },
      share,
    );
    expect(unknown.factor).toBe(1);
  });

  it("starts over when the counters go back (a new sender) and ignores samples without video", () => {
    const first = updateSendState(
      INITIAL_SEND_STATE,
      { atMs: 0, videoBytes: 1_000_000, targetBps: share, availableBps: null, sourcePixels: null },
      share,
    );
    const reset = updateSendState(
      first,
      { atMs: 2_000, videoBytes: 10, targetBps: share, availableBps: null, sourcePixels: null },
      share,
    );
    expect(reset.factor).toBe(1);
    expect(
      updateSendState(
        reset,
        { atMs: 4_000, videoBytes: null, targetBps: share, availableBps: null, sourcePixels: null },
        share,
      ).factor,
    ).toBe(1);
  });

  it("keeps the floor", () => {
    const starved = { ...INITIAL_SEND_STATE, factor: MIN_OVERHEAD_FACTOR };
    expect(fitVideoCap(videoCap(30), starved).maxBitrate).toBe(MIN_VIDEO_BITRATE_BPS);
  });
});

describe("fewer pixels on a narrow uplink", () => {
  const camera = 960 * 540;

  it("keeps the full picture when the link carries it, and scales down as the link narrows", () => {
    expect(linkScale(2_000_000, camera, 1)).toBe(1);
    expect(linkScale(300_000, camera, 1)).toBe(1.5);
    expect(linkScale(150_000, camera, 1)).toBe(2);
    expect(linkScale(40_000, camera, 1)).toBe(4);
    // A 360p camera needs no scaling at the ~350 kbit/s a 500 kbit/s uplink leaves for video.
    expect(linkScale(350_000, 640 * 360, 1)).toBe(1);
  });

  it("steps back up only with room to spare, so that a link at a threshold does not flap", () => {
    const needed = 562_000; // about what 960×540 needs
    expect(linkScale(needed * 1.1, camera, 1.5)).toBe(1.5);
    expect(linkScale(needed * 1.4, camera, 1.5)).toBe(1);
    // Going down is never delayed: a picture too big for the link freezes.
    expect(linkScale(needed * 0.9, camera, 1)).toBe(1.5);
  });

  it("scales from the uplink estimate less the audio reserve, on top of the budget's own scale", () => {
    const share = videoCap(1);
    const sample = (availableBps: number | null, sourcePixels: number | null) => ({
      atMs: 0,
      videoBytes: 0,
      targetBps: null,
      availableBps,
      sourcePixels,
    });
    const narrow = updateSendState(INITIAL_SEND_STATE, sample(200_000 + AUDIO_RESERVE_BPS, camera), share.maxBitrate);
    const fitted = fitVideoCap(share, narrow);
    expect(fitted.maxBitrate).toBe(share.maxBitrate);
    expect(fitted.scaleResolutionDownBy).toBe(linkScale(200_000, camera, 1));
    expect(fitted.scaleResolutionDownBy).toBeGreaterThan(1);
    // The link widens a little: hysteresis keeps the smaller picture; a lot: the full one again.
    const wider = updateSendState(narrow, sample(620_000 + AUDIO_RESERVE_BPS, camera), share.maxBitrate);
    expect(fitVideoCap(share, wider).scaleResolutionDownBy).toBe(1.5);
    const wide = updateSendState(wider, sample(900_000 + AUDIO_RESERVE_BPS, camera), share.maxBitrate);
    expect(fitVideoCap(share, wide)).toEqual(share);
    // No estimate yet, or no idea of the camera's size: the budget's cap as it was.
    expect(fitVideoCap(share, INITIAL_SEND_STATE)).toEqual(share);
    expect(fitVideoCap(share, updateSendState(INITIAL_SEND_STATE, sample(100_000, null), share.maxBitrate))).toEqual(
      share,
    );
    // The budget's own scale (many peers) is never undone by a wide link.
    const many = videoCap(6);
    expect(fitVideoCap(many, updateSendState(INITIAL_SEND_STATE, sample(10_000_000, camera), many.maxBitrate))).toEqual(
      many,
    );
  });
});
