/**
 * What a display name may contain, beyond "a non-empty string of at most 64 characters".
 *
 * A name is shown to everyone in the call, next to words the interface adds itself ("(you)",
 * "Locked by …"). Characters that cannot be seen, or that flip the direction of the text around
 * them, let one person pass for another or make the interface say something it did not; so do
 * names that end in the interface's own words. One module, used by the room's schema and by the
 * name inputs in the browser, so both refuse the same names with the same words.
 *
 * Free of DOM and Workers globals: it is compiled in both worlds.
 */

/** Characters that change the direction of the text around them (UAX #9 explicit formatting). */
const DIRECTION = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * Characters that show nothing (or nothing that tells names apart): zero-width spaces and joiners,
 * word joiners, invisible operators, the byte order mark, variation selectors, tag characters,
 * Hangul fillers, soft hyphens; in short every default-ignorable code point, plus the other
 * format characters (Cf). Line and paragraph separators would break a caption onto a line of its own.
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;
/** Half of a UTF-16 surrogate pair on its own: not text at all (JSON can carry one as \uD800). */
const LONE_SURROGATE = /\p{Cs}/u;
const LINE_BREAK = /[\u2028\u2029]/u;

/**
 * Emoji sequences Unicode recommends for general interchange (RGI): they use joiners (👩‍💻),
 * variation selectors (❤️) and tag characters (🏴󠁧󠁢󠁳󠁣󠁴󠁿) on purpose and render as one picture.
 * Only these may carry such characters; anything else joined by a ZWJ is refused. `\p{RGI_Emoji}`
 * needs the `v` flag (every current browser and workerd); where it is missing, emoji sequences
 * are refused rather than the whole module failing to load.
 */
const RGI_EMOJI: RegExp | null = (() => {
  try {
    // biome-ignore lint/complexity/useRegexLiterals: a literal with the v flag is a syntax error where it is unsupported
    return new RegExp("\\p{RGI_Emoji}", "gv");
  } catch {
    return null;
  }
})();

/**
 * Persian, Urdu and Kurdish names use ZERO WIDTH NON-JOINER between Arabic-script letters, where it
 * visibly changes how the letters join. Anywhere else it only hides a difference.
 */
const ARABIC_ZWNJ = /(?<=\p{Script=Arabic}\p{M}*)\u200C(?=\p{Script=Arabic})/gu;
/** Text or emoji style (VS15, VS16) right after a character that has both, as in ❤︎ or ☎️. */
const EMOJI_STYLE = /(?<=\p{Emoji})[\uFE0E\uFE0F]/gu;
/** Stands in for a whole emoji sequence while the rest of a name is checked: visible, and not invisible. */
const EMOJI_PLACEHOLDER = "\u2B50";

/** Something that shows: a letter, digit, symbol or punctuation (U+2800 is a blank Braille cell). */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
const BLANK_BRAILLE = /\u2800/gu;

/**
 * What the interface appends to names, or puts in their place, so a name must not end with it:
 * "(you)" on our own tile, in every language the page speaks (folded: NFKC makes Japanese
 * "（自分）" "(自分)"), and "#" with hex digits, which tells apart people with the same name.
 * test/frontend/i18n.test.tsx holds these lists to the catalogs.
 */
export const RESERVED_SUFFIXES = ["(you)", "(du)", "(vous)", "(tú)", "(você)", "(自分)", "(أنت)"] as const;
/**
 * Shown instead of our own name ("You" in the chat, "Locked by you"), in every language, except
 * German "Du", which is also a family name people go by.
 */
export const RESERVED_NAMES = ["you", "vous", "tú", "você", "自分", "أنت"] as const;
/** The tag natter puts after a name shared by several people: "Alex #3f2a". */
const ID_TAG = /#[0-9a-f]{4,}$/;

export type NameProblem =
  | { rule: "direction"; codePoint: number }
  | { rule: "invisible"; codePoint: number }
  | { rule: "line-break" }
  | { rule: "broken" }
  | { rule: "no-visible" }
  | { rule: "reserved-name"; name: string }
  | { rule: "reserved"; ending: string };

/**
 * The first rule a trimmed, non-empty name breaks, or null. Length and control characters are
 * checked by the schema itself.
 */
export function findNameProblem(name: string): NameProblem | null {
  const direction = DIRECTION.exec(name);
  if (direction) return { rule: "direction", codePoint: direction[0].codePointAt(0) ?? 0 };
  if (LINE_BREAK.test(name)) return { rule: "line-break" };
  if (LONE_SURROGATE.test(name)) return { rule: "broken" };
  // Emoji sequences and Persian non-joiners keep their invisible parts; a placeholder stands for
  // an emoji so that what is left around it is still checked (and counts as visible).
  const rest = withoutAllowedSequences(name);
  const invisible = INVISIBLE.exec(rest);
  if (invisible) return { rule: "invisible", codePoint: invisible[0].codePointAt(0) ?? 0 };
  if (!VISIBLE.test(rest.replace(BLANK_BRAILLE, ""))) return { rule: "no-visible" };
  const folded = foldName(name).replace(/\s+/gu, "");
  if (RESERVED_NAMES.some((reserved) => folded === reserved)) return { rule: "reserved-name", name: folded };
  const suffix = RESERVED_SUFFIXES.find((reserved) => folded.endsWith(reserved));
  if (suffix) return { rule: "reserved", ending: suffix };
  const tag = ID_TAG.exec(folded);
  if (tag) return { rule: "reserved", ending: "#" };
  return null;
}

/** The problem in words, after "must …": the room's error and the name inputs share it. */
export function describeNameProblem(problem: NameProblem): string {
  switch (problem.rule) {
    case "direction":
      return `must not contain characters that change the direction of text (${codePoint(problem.codePoint)})`;
    case "invisible":
      return `must not contain invisible characters (${codePoint(problem.codePoint)})`;
    case "line-break":
      return "must not contain line breaks";
    case "broken":
      return "must be valid text (it contains half of a surrogate pair)";
    case "reserved-name":
      return `must not be “${problem.name}”: natter shows that word in place of each person’s own name`;
    case "no-visible":
      return "must contain at least one visible character";
    case "reserved":
      return problem.ending === "#"
        ? "must not end with # and a code: natter adds that to tell people with the same name apart"
        : `must not end with “${problem.ending}”: natter adds that itself`;
  }
}

/**
 * The form in which two names count as the same to a reader: compatibility forms folded (ｆｕｌｌ
 * width, ligatures), case folded, runs of spaces as one, and the invisible parts of emoji and
 * Persian words left out.
 */
export function foldName(name: string): string {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{Default_Ignorable_Code_Point}]/gu, "")
    .replace(/\s+/gu, " ")
    .trim();
}

function withoutAllowedSequences(name: string): string {
  const emojiFree = RGI_EMOJI ? name.replace(RGI_EMOJI, EMOJI_PLACEHOLDER) : name;
  return emojiFree.replace(EMOJI_STYLE, "").replace(ARABIC_ZWNJ, "");
}

function codePoint(value: number): string {
  return `U+${value.toString(16).toUpperCase().padStart(4, "0")}`;
}
