/**
 * The words for the reactions the room allows (common/protocol.ts REACTIONS), for buttons,
 * shortcuts and screen readers: an emoji alone is read out inconsistently, or not at all.
 */
import type { Reaction } from "../../common/protocol";

export const REACTION_NAMES: Readonly<Record<Reaction, string>> = {
  "👍": "thumbs up",
  "👏": "applause",
  "😂": "laughter",
  "❤️": "heart",
  "🎉": "celebration",
  "😮": "surprise",
};

/** "1st", "2nd", "3rd", "4th": a raised hand's place in the queue, as heard. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}
