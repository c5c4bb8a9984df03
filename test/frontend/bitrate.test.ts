import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AUDIO_RESERVE_BPS,
  applyVideoCap,
  MIN_VIDEO_BITRATE_BPS,
  scaleFor,
  VIDEO_UPLOAD_BUDGET_BPS,
  videoCap,
} from "../../frontend/call/media/bitrate";
import { FakeSender, fakeTrack } from "./fake-rtc";

const BUDGET = VIDEO_UPLOAD_BUDGET_BPS;

describe("splitting the upload budget", () => {
  it("is 2.5 Mbps by default", () => {
    expect(BUDGET).toBe(2_500_000);
  });

  it("keeps video plus the audio reserve within the budget until the floor (some 26 peers)", () => {
    for (let peers = 1; peers <= 26; peers++) {
      const { maxBitrate } = videoCap(peers);
      expect(peers * (maxBitrate + AUDIO_RESERVE_BPS), `${peers} peers`).toBeLessThanOrEqual(BUDGET);
    }
  });

  it("gives each of two or more peers at most half the budget", () => {
    for (let peers = 2; peers <= 8; peers++) expect(videoCap(peers).maxBitrate).toBeLessThanOrEqual(BUDGET / 2);
  });

  it("gives everyone more when someone leaves, and less when someone joins", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 500_000, max: 20_000_000 }), (peers, budget) => {
        expect(videoCap(peers, budget).maxBitrate).toBeGreaterThanOrEqual(videoCap(peers + 1, budget).maxBitrate);
      }),
    );
    expect(videoCap(1).maxBitrate).toBeGreaterThan(videoCap(2).maxBitrate);
  });

  it("shares a peer's part between its video streams (camera and screen)", () => {
    expect(videoCap(2, BUDGET, 2).maxBitrate).toBe(Math.floor(videoCap(2).maxBitrate / 2));
  });

  it("never starves a stream below the floor, even in a room far bigger than the default", () => {
    expect(videoCap(60).maxBitrate).toBe(MIN_VIDEO_BITRATE_BPS);
    expect(videoCap(0).maxBitrate).toBe(videoCap(1).maxBitrate);
  });

  it("lowers the resolution with the bitrate", () => {
    expect([2_000_000, 1_000_000, 700_000, 300_000, 100_000].map(scaleFor)).toEqual([1, 1, 1.5, 2, 4]);
    expect(videoCap(1).scaleResolutionDownBy).toBe(1);
    expect(videoCap(7).scaleResolutionDownBy).toBe(2);
  });
});

describe("applying a cap to a sender", () => {
  it("sets maxBitrate and scaleResolutionDownBy on a video sender's first encoding", async () => {
    const sender = new FakeSender(fakeTrack("video"));
    expect(await applyVideoCap(sender as unknown as RTCRtpSender, videoCap(3))).toBe(true);
    expect(sender.parameters.encodings[0]).toEqual(videoCap(3));
  });

  it("does not touch audio, and does not call setParameters again for the same cap", async () => {
    const audio = new FakeSender(fakeTrack("audio"));
    expect(await applyVideoCap(audio as unknown as RTCRtpSender, videoCap(3))).toBe(true);
    expect(audio.applied).toEqual([]);

    const video = new FakeSender(fakeTrack("video"));
    await applyVideoCap(video as unknown as RTCRtpSender, videoCap(3));
    await applyVideoCap(video as unknown as RTCRtpSender, videoCap(3));
    expect(video.applied).toHaveLength(1);
  });

  it("keeps a screen at full resolution", async () => {
    const track = fakeTrack("video");
    Object.assign(track, { contentHint: "detail" });
    const sender = new FakeSender(track);
    await applyVideoCap(sender as unknown as RTCRtpSender, videoCap(7));
    expect(sender.parameters.encodings[0]).toEqual({ maxBitrate: videoCap(7).maxBitrate, scaleResolutionDownBy: 1 });
  });

  it("reports a sender that has no encodings yet, so the caller retries after negotiating", async () => {
    const sender = new FakeSender(fakeTrack("video"));
    sender.parameters.encodings = [];
    expect(await applyVideoCap(sender as unknown as RTCRtpSender, videoCap(2))).toBe(false);
  });
});
