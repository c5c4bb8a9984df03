import { normalizeRoomName, type RoomNameProblem } from "../common/room-name";

/** What a path means to the app; pure so that the rules can be tested without a browser history. */
export type Route =
  | { kind: "home" }
  | { kind: "room"; name: string; path: string }
  | { kind: "invalid-room"; input: string; problem: RoomNameProblem | "bad-link" };

/** The one URL of a room; the Worker routes on the same normalized name. */
export function roomPath(name: string): string {
  return `/${encodeURIComponent(name)}`;
}

export function matchRoute(pathname: string): Route {
  const raw = pathname.replace(/^\/+|\/+$/g, "");
  if (raw === "") return { kind: "home" };
  let input: string;
  try {
    input = decodeURIComponent(raw);
  } catch {
    // A stray "%" in a hand-typed link must not take the whole app down.
    return { kind: "invalid-room", input: raw, problem: "bad-link" };
  }
  const result = normalizeRoomName(input);
  if (!result.ok) return { kind: "invalid-room", input, problem: result.problem };
  return { kind: "room", name: result.name, path: roomPath(result.name) };
}
