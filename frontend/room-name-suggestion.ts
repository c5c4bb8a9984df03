import { normalizeRoomName } from "../worker/room-name";

/**
 * Bits of entropy in a suggested name. Written down rather than imported because computing it
 * needs the word lists, which the home page must not download; a frontend test holds it equal
 * to the generator's ROOM_NAME_ENTROPY_BITS, so a change to the lists cannot leave it stale.
 */
export const SUGGESTED_NAME_BITS = 48;

/** "281 trillion": how many suggested names there are, in words. */
export function suggestedNameCount(): string {
  return new Intl.NumberFormat("en", { notation: "compact", compactDisplay: "long", maximumFractionDigits: 0 }).format(
    2 ** SUGGESTED_NAME_BITS,
  );
}

/**
 * A fresh suggestion from the Worker (GET /api/room-name), or null when there is none to be
 * had (offline, aborted, or an answer that is not a valid room name): a suggestion is a
 * convenience, and the field works without one.
 */
export async function fetchSuggestedName(signal?: AbortSignal): Promise<string | null> {
  try {
    const response = await fetch("/api/room-name", { signal, headers: { Accept: "application/json" } });
    if (!response.ok) return null;
    const body: unknown = await response.json();
    const name = typeof body === "object" && body !== null && "name" in body ? body.name : null;
    if (typeof name !== "string") return null;
    const normalized = normalizeRoomName(name);
    return normalized.ok ? normalized.name : null;
  } catch {
    return null;
  }
}
