import * as v from "valibot";
import { DisplayName } from "../../durable-objects/protocol";

export const NAME_STORAGE_KEY = "natter:name";

/**
 * The name others see. Until the pre-join screen lets people pick one, a stored name wins and
 * everyone else is a numbered guest, so two guests in a room can still tell each other apart.
 */
export function defaultDisplayName(storage: Pick<Storage, "getItem"> | null = safeLocalStorage()): string {
  const stored = v.safeParse(DisplayName, storage?.getItem(NAME_STORAGE_KEY));
  if (stored.success) return stored.output;
  return `Guest ${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}`;
}

function safeLocalStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Reading localStorage throws when the user blocks site data.
    return null;
  }
}
