/**
 * The words for the reactions the room allows (common/protocol.ts REACTIONS), for buttons,
 * shortcuts and screen readers: an emoji alone is read out inconsistently, or not at all.
 * Here only which catalog entry names each one; the words are in the catalogs.
 */
import type { Reaction } from "../../common/protocol";
import type { SentenceKey } from "../i18n/problem";

export const REACTION_NAMES: Readonly<Record<Reaction, SentenceKey>> = {
  "👍": "reactionThumbsUp",
  "👏": "reactionApplause",
  "😂": "reactionLaughter",
  "❤️": "reactionHeart",
  "🎉": "reactionCelebration",
  "😮": "reactionSurprise",
};
