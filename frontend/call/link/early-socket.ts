/**
 * The room's socket opens before the app has loaded. On a room link the page's first module
 * (frontend/early.ts) opens it while the app's chunks download, so it is open by the time
 * someone presses Join, and the join costs one round trip to the room, not a connection set-up
 * as well. It is the same socket the hair check would open (nothing is sent on it until Join),
 * so the room sees no difference. Signaling takes it for the same URL; any other URL, a socket
 * that closed meanwhile, or one nobody takes is closed, never left open for nothing.
 */

/** Far longer than the app needs to reach the hair check; only a page that failed to load gets here. */
const UNCLAIMED_MS = 20_000;
const CONNECTING = 0;
const OPEN = 1;

let pending: { url: string; socket: WebSocket } | null = null;

export function openEarlySocket(url: string): void {
  if (pending !== null || typeof WebSocket === "undefined") return;
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch {
    // A blocked port or a malformed URL: the app's own attempt will say so.
    return;
  }
  const entry = { url, socket };
  pending = entry;
  setTimeout(() => {
    if (pending !== entry) return;
    pending = null;
    socket.close(1000, "left");
  }, UNCLAIMED_MS);
}

/** The early socket, if it was opened for `url` and is still opening or open; at most once. */
export function takeEarlySocket(url: string): WebSocket | null {
  const entry = pending;
  pending = null;
  if (entry === null) return null;
  const alive = entry.socket.readyState === CONNECTING || entry.socket.readyState === OPEN;
  if (entry.url === url && alive) return entry.socket;
  if (alive) entry.socket.close(1000, "left");
  return null;
}
