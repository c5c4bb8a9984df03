import * as v from "valibot";
import { DisplayName, MAX_DISPLAY_NAME_LENGTH } from "../../durable-objects/protocol";
import { readSetting, writeSetting } from "./storage";

export const NAME_STORAGE_KEY = "natter:name";

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
  if (!v.is(DisplayName, trimmed)) return "A name cannot contain line breaks or tabs.";
  return null;
}

export function rememberDisplayName(name: string): void {
  writeSetting(NAME_STORAGE_KEY, name.trim());
}

function safeLocalStorage(): Pick<Storage, "getItem"> {
  return { getItem: readSetting };
}
