import { describe, expect, it } from "vitest";
import { roomKeyProblem, SUGGESTED_KEY_BITS, suggestRoomKey } from "../../frontend/call/room-key";
import { say } from "../../frontend/i18n/problems";

describe("suggestRoomKey", () => {
  it("makes four groups of four unambiguous base32 symbols: 80 bits", () => {
    expect(SUGGESTED_KEY_BITS).toBe(80);
    for (let i = 0; i < 200; i++) {
      expect(suggestRoomKey()).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    }
  });

  it("uses every random bit it asks for, and only 5 per symbol", () => {
    // Byte b picks symbol b & 31, so bytes 0..15 and 32..47 give the same key.
    const low = suggestRoomKey((bytes) => bytes.set(bytes.map((_, i) => i)));
    const high = suggestRoomKey((bytes) => bytes.set(bytes.map((_, i) => i + 32)));
    expect(low).toBe("0123-4567-89ab-cdef");
    expect(high).toBe(low);
    expect(suggestRoomKey((bytes) => bytes.fill(31))).toBe("zzzz-zzzz-zzzz-zzzz");
  });

  it("does not repeat", () => {
    const keys = new Set(Array.from({ length: 1_000 }, () => suggestRoomKey()));
    expect(keys.size).toBe(1_000);
  });
});

describe("roomKeyProblem", () => {
  it("accepts what the room accepts", () => {
    expect(roomKeyProblem("abcd")).toBeNull();
    expect(roomKeyProblem("  correct horse battery staple  ")).toBeNull();
    expect(roomKeyProblem("x".repeat(256))).toBeNull();
    expect(roomKeyProblem("🔑🔑🔑🔑")).toBeNull();
  });

  it("refuses what the room would refuse, saying which rule", () => {
    const words = (key: string) => {
      const problem = roomKeyProblem(key);
      return problem && say(problem);
    };
    expect(words("")).toBe("Enter the room key.");
    expect(words("   ")).toBe("Enter the room key.");
    expect(words(" abc ")).toBe("A room key has at least 4 characters.");
    expect(words("x".repeat(257))).toBe("A room key has at most 256 characters.");
    expect(words("ab\ncd")).toBe("A room key cannot contain line breaks or tabs.");
  });
});
