import * as v from "valibot";
import { describeNameProblem, findNameProblem } from "../../common/display-name-rules";
import { DisplayName, MAX_DISPLAY_NAME_LENGTH } from "../../common/protocol";
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

/** Why the room would refuse `name`, in words, or null; the same rules as the room's own schema. */
export function displayNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === "") return "Enter a name.";
  if (trimmed.length > MAX_DISPLAY_NAME_LENGTH) return `A name has at most ${MAX_DISPLAY_NAME_LENGTH} characters.`;
  if (v.is(DisplayName, trimmed)) return null;
  // The room checks control characters first, then its rule for names that deceive (in its words).
  const problem = CONTROL.test(trimmed) ? null : findNameProblem(trimmed);
  return problem === null ? "A name cannot contain line breaks or tabs." : `A name ${describeNameProblem(problem)}.`;
}

export function rememberDisplayName(name: string): void {
  writeSetting(NAME_STORAGE_KEY, name.trim());
}

function safeLocalStorage(): Pick<Storage, "getItem"> {
  return { getItem: readSetting };
}
