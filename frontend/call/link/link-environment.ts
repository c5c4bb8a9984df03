/**
 * What the room link (room-link.ts) hears from the page besides its socket: the network going
 * and coming back, the tab becoming visible, and the probes that ask whether a fresh request gets
 * through (their timing and address). Apart from the link's reconnect and resume logic so that
 * tests hand in their own environment and the browser's is built in one place.
 */

/** Where the link hears that the network is back and that the tab is visible again. */
export interface LinkEnvironment {
  window: Pick<EventTarget, "addEventListener" | "removeEventListener">;
  document: Pick<Document, "addEventListener" | "removeEventListener" | "visibilityState">;
  /**
   * Whether a fresh request to `url` gets an answer within `timeoutMs` (any answer: it is the
   * network that is asked about, not the server). Without it the link never probes.
   */
  reachable?(url: string, timeoutMs: number): Promise<boolean>;
}

/**
 * A PING unanswered this long (several round trips on any network a call works over) starts
 * probing: see RoomLink#probe.
 */
export const PROBE_AFTER_MS = 4_000;
/** A new probe this often while probing, each with PROBE_TIMEOUT_MS to get an answer. */
export const PROBE_EVERY_MS = 500;
export const PROBE_TIMEOUT_MS = 2_000;

/** The room's own server, asked something cheap that never wakes a room: its health check. */
export function probeUrlFor(socketUrl: string): string {
  const url = new URL(socketUrl);
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  url.pathname = "/api/health";
  url.search = "";
  return url.href;
}

/** Any answer counts, even an error status: the question is whether packets get through now. */
async function fetchAnswers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    await fetch(url, { cache: "no-store", credentials: "omit", signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

export function browserEnvironment(): LinkEnvironment | null {
  return typeof window === "undefined" || typeof document === "undefined"
    ? null
    : { window, document, reachable: fetchAnswers };
}
