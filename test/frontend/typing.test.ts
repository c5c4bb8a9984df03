/** The typing indicator's pure parts: our throttle and the frame format (typing.ts). */
import { describe, expect, it } from "vitest";
import {
  encodeTyping,
  parseTyping,
  TYPING_EXPIRES_MS,
  TYPING_RESEND_MS,
  TypingThrottle,
} from "../../frontend/call/typing";

describe("our typing throttle", () => {
  it("tells the first keystroke, then at most once per resend interval", () => {
    const throttle = new TypingThrottle();
    const told = [0, 100, TYPING_RESEND_MS - 1, TYPING_RESEND_MS, TYPING_RESEND_MS + 10].map((t) => throttle.typed(t));
    expect(told).toEqual([true, false, false, true, false]);
  });

  it("tells a stop only while the others still think we type", () => {
    const throttle = new TypingThrottle();
    expect(throttle.stopped(0), "never typed").toBe(false);
    throttle.typed(0);
    expect(throttle.stopped(10)).toBe(true);
    expect(throttle.stopped(20), "already told").toBe(false);
    throttle.typed(100);
    expect(throttle.stopped(100 + TYPING_EXPIRES_MS), "expired there by itself").toBe(false);
    // After a stop, the next keystroke is told at once.
    expect(throttle.typed(200 + TYPING_EXPIRES_MS)).toBe(true);
  });

  it("is not fooled by a clock that goes backwards", () => {
    const throttle = new TypingThrottle();
    throttle.typed(10_000);
    expect(throttle.typed(5_000)).toBe(true);
  });
});

describe("typing frames", () => {
  it("round-trip, and anything else is not one", () => {
    expect([parseTyping(encodeTyping(true)), parseTyping(encodeTyping(false))]).toEqual([true, false]);
    for (const bad of [
      '{"type":"typing"}',
      '{"type":"typing","on":1}',
      '{"type":"typing","on":true,"x":1}',
      '{"type":"chat","text":"hi"}',
      `{"type":"typing","on":true${" ".repeat(64)}}`,
      "nope",
      42,
    ])
      expect(parseTyping(bad)).toBeNull();
  });
});
