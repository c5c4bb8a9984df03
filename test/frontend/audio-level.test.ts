import { effect } from "@preact/signals-core";
import { describe, expect, it, vi } from "vitest";
import { linearToDb } from "../../frontend/call/peer/received-level";
import {
  AudioLevels,
  FLOOR_DB,
  levelDb,
  SILENT_MS,
  SPEAKING_HOLD_MS,
  SpeakingDetector,
} from "../../frontend/services/audio-level";

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

describe("levels read from elsewhere (a peer's received audio)", () => {
  it("need no AudioContext, and each person's speaking signal changes only with that person", () => {
    vi.useFakeTimers();
    try {
      const levels = new AudioLevels({
        context: () => {
          throw new Error("a level reader needs no Web Audio");
        },
      });
      const loud = { a: FLOOR_DB, b: FLOOR_DB };
      const track = (id: string) => ({ kind: "audio", id }) as MediaStreamTrack;
      expect(levels.watch("a", track("a"), { level: () => loud.a })).not.toBeNull();
      expect(levels.watch("b", track("b"), { level: () => loud.b })).not.toBeNull();
      let changesOfA = 0;
      const stop = effect(() => {
        levels.of("a").speaking.value;
        changesOfA++;
      });
      loud.b = -20;
      vi.advanceTimersByTime(300);
      expect(levels.of("b").speaking.value).toBe(true);
      expect(levels.of("b").active.value).toBe(true);
      expect(changesOfA).toBe(1);
      loud.a = -10;
      vi.advanceTimersByTime(300);
      expect(levels.of("a").speaking.value).toBe(true);
      expect(changesOfA).toBe(2);
      stop();
      levels.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it("turn a received packet's linear level into dBFS, silence at the floor", () => {
    expect(linearToDb(1)).toBe(0);
    expect(linearToDb(0.01)).toBeCloseTo(-40, 5);
    expect(linearToDb(0)).toBe(FLOOR_DB);
    expect(linearToDb(undefined)).toBe(FLOOR_DB);
  });
});
