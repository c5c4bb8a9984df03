import { describe, expect, it } from "vitest";
import { FLOOR_DB, levelDb, SILENT_MS, SPEAKING_HOLD_MS, SpeakingDetector } from "../../frontend/services/audio-level";

const tone = (amplitude: number) => Float32Array.from({ length: 256 }, (_, i) => amplitude * Math.sin(i / 3));

describe("levelDb", () => {
  it("measures full scale near 0 dB, quiet speech around -40, and silence at the floor", () => {
    expect(levelDb(tone(1))).toBeCloseTo(-3, 0);
    expect(levelDb(tone(0.01))).toBeCloseTo(-43, 0);
    expect(levelDb(new Float32Array(256))).toBe(FLOOR_DB);
  });
});

describe("SpeakingDetector", () => {
  it("lights at once on speech and holds through a short pause", () => {
    const detector = new SpeakingDetector();
    expect(detector.update(-80, 0).speaking).toBe(false);
    expect(detector.update(-20, 100).speaking).toBe(true);
    // A breath between words.
    expect(detector.update(-90, 200).speaking).toBe(true);
    let now = 200;
    while (detector.update(-90, now).speaking) now += 100;
    expect(now - 100).toBeGreaterThanOrEqual(SPEAKING_HOLD_MS);
  });

  it("does not count a quiet room as speech", () => {
    const detector = new SpeakingDetector();
    for (let t = 0; t < 2_000; t += 100) expect(detector.update(-62, t).speaking).toBe(false);
  });

  it("reports a silent microphone after a while, and not before", () => {
    const detector = new SpeakingDetector();
    expect(detector.update(FLOOR_DB, 0).silent).toBe(false);
    expect(detector.update(FLOOR_DB, SILENT_MS - 100).silent).toBe(false);
    expect(detector.update(FLOOR_DB, SILENT_MS).silent).toBe(true);
    expect(detector.update(-60, SILENT_MS + 100).silent).toBe(false);
  });
});
