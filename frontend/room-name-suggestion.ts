/**
 * Bits of entropy in a suggested name. Written down rather than imported because computing it
 * needs the word lists, which the home page must not wait for; a frontend test holds it equal
 * to the generator's ROOM_NAME_ENTROPY_BITS, so a change to the lists cannot leave it stale.
 */
export const SUGGESTED_NAME_BITS = 48;

/** "281 trillion" (or "281 Billionen"): how many suggested names there are, in words of `locale`. */
export function suggestedNameCount(locale = "en"): string {
  return new Intl.NumberFormat(locale, {
    notation: "compact",
    compactDisplay: "long",
    maximumFractionDigits: 0,
  }).format(2 ** SUGGESTED_NAME_BITS);
}

/** Where suggestions come from; the home page takes another in tests that need to time them. */
export type SuggestName = () => Promise<string | null>;

/**
 * A fresh suggestion, drawn in this page with crypto.getRandomValues: the server never sees it,
 * so the room id the page sends for it (common/room-id.ts) cannot be matched against a list of
 * names the server handed out. The word lists are a chunk of their own, fetched when the first
 * suggestion is asked for, so the home page paints without waiting for them. Null when the chunk
 * cannot be had (offline): a suggestion is a convenience, and the field works without one.
 */
export const suggestRoomName: SuggestName = async () => {
  try {
    const { generateRoomName } = await import("../common/room-name-generator");
    return generateRoomName();
  } catch {
    return null;
  }
};
