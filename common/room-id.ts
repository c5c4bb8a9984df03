/**
 * Room ids: what the server knows a room by instead of its name.
 *
 * The browser normalizes the name (room-name.ts) and hashes it here; only the id ever leaves
 * the page, in the socket URL `/api/rooms/<id>/ws`. So the Worker, the Room Durable Object,
 * `wrangler dev`, Cloudflare's request logs and any proxy on the way see 43 characters that
 * say nothing about the name. A one-way hash hides a name nobody can guess; it cannot hide a
 * guessable one, since anyone can hash "team-meeting" too (which is why names are suggested).
 *
 * Shared by the browser and the tests: it needs nothing but `crypto.subtle`, which both have
 * (a browser only in a secure context, which calls need anyway for the camera).
 */

/**
 * Domain separation: the same name hashed for another purpose (or by a later scheme, "v2")
 * gives an unrelated value, so ids can never be confused with any other hash of a name.
 */
export const ROOM_ID_CONTEXT = "natter room v1\n";

/** SHA-256 (32 bytes) in URL-safe base64 without padding: ⌈256 / 6⌉ = 43 characters. */
export const ROOM_ID_LENGTH = 43;

/**
 * The canonical form only: 42 characters of six bits each, then one that carries the last four
 * bits of the digest and two zero bits, so it is one of 16 letters. Every digest has exactly one
 * spelling, and a URL with a hand-edited last character is refused rather than being a second
 * address of nothing.
 */
const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Whether `text` has the shape of a room id. The server can check nothing else, by design. */
export function isRoomId(text: string): boolean {
  return ROOM_ID_PATTERN.test(text);
}

/**
 * The id of the room whose *normalized* name (normalizeRoomName) is `normalizedName`.
 * Two spellings of one name meet because both are normalized before they are hashed.
 */
export async function roomIdFor(normalizedName: string): Promise<string> {
  const bytes = new TextEncoder().encode(ROOM_ID_CONTEXT + normalizedName);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return base64Url(digest);
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** RFC 4648 §5 base64url without padding; by hand because the browser has no encoder for it. */
function base64Url(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.ceil((Math.min(3, bytes.length - i) * 8) / 6);
    for (let c = 0; c < chars; c++) out += ALPHABET[(chunk >> (18 - 6 * c)) & 63];
  }
  return out;
}
