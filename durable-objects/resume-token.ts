/**
 * Resume tokens let a peer whose socket dropped come back as itself: HMAC-SHA256 of its
 * id under a random secret that only this room holds. The secret lives in the room's
 * storage, so tokens survive hibernation and restarts, and die with the room's data.
 */

export function newRoomSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function resumeTokenFor(secret: string, peerId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`resume:${peerId}`));
  return toBase64Url(new Uint8Array(mac));
}

export async function isResumeTokenValid(secret: string, peerId: string, token: string): Promise<boolean> {
  const expected = new TextEncoder().encode(await resumeTokenFor(secret, peerId));
  const given = new TextEncoder().encode(token);
  // timingSafeEqual needs equal lengths; a wrong length is no secret (every token has the same one).
  return expected.byteLength === given.byteLength && crypto.subtle.timingSafeEqual(expected, given);
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}
