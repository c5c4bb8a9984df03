/**
 * Room names: how what someone typed becomes the one canonical name of a room.
 * Shared by the Worker (which routes on it) and the frontend (which shows the rules).
 */
export const MAX_ROOM_NAME_LENGTH = 64;

/** Why a name cannot be a room's, as a code the page words in its language (`reason` is the English). */
export type RoomNameProblem = "empty" | "characters" | "too-long";

export type RoomNameResult = { ok: true; name: string } | { ok: false; problem: RoomNameProblem; reason: string };

/**
 * NFKC (so full-width and compatibility forms collapse), case-folded, whitespace and
 * runs of separators turned into one hyphen, leading and trailing hyphens trimmed, so
 * that "Team Sync", "team_sync" and "TEAM--SYNC" are the same room.
 */
export function normalizeRoomName(input: string): RoomNameResult {
  // Folding can decompose ("ǰ" upper-cases to J + caron), so normalize again after it.
  const folded = caseFold(input.normalize("NFKC"))
    .normalize("NFKC")
    .replace(/[\s_.\-–—]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  if (folded.length === 0)
    return { ok: false, problem: "empty", reason: "A room name needs at least one letter or digit." };
  const bad = folded.match(/[^\p{Ll}\p{Lo}\p{Lm}\p{Nd}\p{Mn}\p{Mc}-]/u);
  if (bad) {
    return {
      ok: false,
      problem: "characters",
      reason: "Room names may only use letters, digits and hyphens (spaces, dots and underscores become hyphens).",
    };
  }
  if ([...folded].length > MAX_ROOM_NAME_LENGTH) {
    return {
      ok: false,
      problem: "too-long",
      reason: `Room names may be at most ${MAX_ROOM_NAME_LENGTH} characters long.`,
    };
  }
  return { ok: true, name: folded };
}

/**
 * Full Unicode case folding, which JavaScript lacks, from what it has: upper-casing first turns
 * "ß" into "SS" (so "Straße" and "STRASSE" meet at "strasse"), and the final sigma that
 * lower-casing produces at the end of a word is folded to the plain one, as case folding does.
 */
function caseFold(text: string): string {
  return text.toUpperCase().toLowerCase().replaceAll("ς", "σ");
}
