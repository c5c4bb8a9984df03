import { describe, expect, it } from "vitest";
import { MAX_ROOM_NAME_LENGTH, normalizeRoomName } from "../../common/room-name";
import { generateRoomName, isEasyToGuess } from "../../common/room-name-generator";

const LETTERS_RULE = /letters, digits and hyphens/;
const LENGTH_RULE = new RegExp(`at most ${MAX_ROOM_NAME_LENGTH} characters`);
const EMPTY_RULE = /at least one letter or digit/;

describe("normalizeRoomName", () => {
  it.each([
    ["Team Sync", "team-sync"],
    ["team-sync", "team-sync"],
    ["team_sync", "team-sync"],
    ["TEAM--SYNC", "team-sync"],
    ["team.sync", "team-sync"],
    ["team – sync", "team-sync"],
    ["  Team \t Sync  ", "team-sync"],
    ["-team-sync-", "team-sync"],
    ["__team sync..", "team-sync"],
    ["ＴＥＡＭ", "team"], // full-width letters collapse under NFKC
    ["ﬁle", "file"], // ligature
    ["Café", "café"], // precomposed é …
    ["Cafe\u0301", "café"], // … and e + combining accent are the same room
    ["Room 42", "room-42"],
    ["Straße", "strasse"], // full case folding: ß folds to ss …
    ["STRASSE", "strasse"], // … so both spellings are one room
    ["ΟΔΟΣ", "οδοσ"], // the final sigma that lower-casing makes folds to σ
    ["οδος", "οδοσ"],
    ["日本語", "日本語"],
    ["a".repeat(64), "a".repeat(64)],
  ])("%j becomes %j", (input, expected) => {
    expect(normalizeRoomName(input)).toEqual({ ok: true, name: expected });
  });

  it.each([
    ["", EMPTY_RULE],
    ["   ", EMPTY_RULE],
    ["---", EMPTY_RULE],
    ["_ . _", EMPTY_RULE],
    ["team🎉", LETTERS_RULE],
    ["🎉", LETTERS_RULE],
    ["team!", LETTERS_RULE],
    ["team/sync", LETTERS_RULE],
    ["what?", LETTERS_RULE],
    ["x\u200by", LETTERS_RULE], // zero-width space: invisible, so refused rather than kept
    ["a".repeat(65), LENGTH_RULE],
    [`${"A".repeat(40)} ${"b".repeat(24)}`, LENGTH_RULE], // 65 after the space becomes a hyphen
  ])("%j is refused, saying which rule it broke", (input, rule) => {
    const result = normalizeRoomName(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(rule);
  });

  it("counts characters, not UTF-16 units, against the length limit", () => {
    expect(normalizeRoomName("日".repeat(64))).toEqual({ ok: true, name: "日".repeat(64) });
  });
});

describe("isEasyToGuess", () => {
  it.each([
    ["test", "short"],
    ["team-sync", "short"],
    ["a-b-c-d-e", "short"],
    ["room1", "short, and common"],
    ["test123", "short, and common"],
    ["conference", "one word under 12 characters"],
    ["basketball", "one word under 12 characters"],
    ["abcdefghijk", "one word under 12 characters"],
    ["team-meeting", "common"],
    ["teammeeting", "common"],
    ["team-meeting-2", "common once trailing digits are ignored"],
    ["daily-standup-2024", "common once trailing digits are ignored"],
    ["daily-standup-2024-05-06", "common once trailing digits and hyphens are ignored"],
    ["friends-and-family", "common"],
    ["interview-42", "common once trailing digits are ignored"],
  ])("%j is easy to guess (%s)", (name) => {
    expect(isEasyToGuess(name)).toBe(true);
  });

  it.each([
    "sleepy-orange-otters-juggle-lemon-teapots",
    "project-phoenix-rollout",
    "abcdefghijkl", // one word, but 12 characters
    "grandmas-90th-birthday",
    "2024-team-offsite-lisbon",
  ])("%j is not flagged", (name) => {
    expect(isEasyToGuess(name)).toBe(false);
  });

  it("never flags a suggested name", () => {
    for (let i = 0; i < 1_000; i++) expect(isEasyToGuess(generateRoomName())).toBe(false);
  });
});
