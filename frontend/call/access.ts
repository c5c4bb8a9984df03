import type { ServerMessage } from "../../common/protocol";

/**
 * Where we stand at a room's door. A locked room tells an outsider nothing but these
 * verdicts, so this is all the page can ever show before we are let in.
 */
export type Access =
  /** The room has not answered our join yet. */
  | { state: "unknown" }
  | { state: "in" }
  /** The room is locked: it needs a key, or someone inside to let us in. */
  | { state: "locked" }
  /** A key is on its way; the room hashes it before it answers. */
  | { state: "checking-key" }
  | { state: "wrong-key"; triesLeft: number }
  /** Too many wrong keys (from anyone): the room refuses every try until `retryAt` (ms since epoch). */
  | { state: "throttled"; retryAt: number }
  | { state: "knocking" }
  | { state: "declined" }
  /** Nobody answered the knock in time. */
  | { state: "lapsed" }
  | { state: "too-many-knocks" };

export type AccessState = Access["state"];

type Denial = Extract<ServerMessage, { type: "denied" }>;

/**
 * What a `denied` verdict means at the door; `now` anchors a throttle's wait to our own clock.
 * Null for "full", which is not about the door at all (an open room can be full too).
 */
export function accessAfterDenial(message: Denial, now: number): Access | null {
  switch (message.reason) {
    case "full":
      return null;
    case "locked":
      return { state: "locked" };
    case "wrong-key":
      return { state: "wrong-key", triesLeft: Math.max(0, message.triesLeft ?? 0) };
    case "throttled":
      // The room sends a duration, not a time: our clock and the edge's need not agree.
      return { state: "throttled", retryAt: now + Math.max(0, message.retryAfterMs ?? 0) };
    case "knock-declined":
      return { state: "declined" };
    case "knock-lapsed":
      return { state: "lapsed" };
    case "too-many-knocks":
      return { state: "too-many-knocks" };
  }
}
