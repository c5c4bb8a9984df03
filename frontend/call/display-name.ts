import * as v from "valibot";
import { findNameProblem, type NameProblem } from "../../common/display-name-rules";
import { DisplayName, MAX_DISPLAY_NAME_LENGTH } from "../../common/protocol";
import { type Problem, problem } from "../i18n/problem";
import { readSetting, writeSetting } from "../services/storage";

export const NAME_STORAGE_KEY = "natter:name";
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * The name others see: the one chosen on this device before, or else a numbered guest, so two
 * guests in a room can still tell each other apart until they pick names.
 */
export function defaultDisplayName(storage: Pick<Storage, "getItem"> | null = safeLocalStorage()): string {
  const stored = v.safeParse(DisplayName, storage?.getItem(NAME_STORAGE_KEY));
  if (stored.success) return stored.output;
  return `Guest ${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}`;
}

/** Why the room would refuse `name` (for the page to word), or null; the same rules as the room's own schema. */
export function displayNameProblem(name: string): Problem | null {
  const trimmed = name.trim();
  if (trimmed === "") return problem("nameEmpty");
  if (trimmed.length > MAX_DISPLAY_NAME_LENGTH) return problem("nameTooLong", { max: MAX_DISPLAY_NAME_LENGTH });
  if (v.is(DisplayName, trimmed)) return null;
  // The room checks control characters first, then its rule for names that deceive.
  const found = CONTROL.test(trimmed) ? null : findNameProblem(trimmed);
  return found === null ? problem("nameControl") : nameProblem(found);
}

function nameProblem(found: NameProblem): Problem {
  switch (found.rule) {
    case "direction":
      return problem("nameDirection", { char: codePointLabel(found.codePoint) });
    case "invisible":
      return problem("nameInvisible", { char: codePointLabel(found.codePoint) });
    case "line-break":
      return problem("nameLineBreak");
    case "broken":
      return problem("nameBroken");
    case "no-visible":
      return problem("nameNoVisible");
    case "reserved-name":
      return problem("nameReservedWord", { word: found.name });
    case "reserved":
      return found.ending === "#"
        ? problem("nameReservedTag")
        : problem("nameReservedEnding", { ending: found.ending });
  }
}

function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

export function rememberDisplayName(name: string): void {
  writeSetting(NAME_STORAGE_KEY, name.trim());
}

function safeLocalStorage(): Pick<Storage, "getItem"> {
  return { getItem: readSetting };
}
