/**
 * Sockets at the door: open, but neither in the call nor knocking (a hair check, someone
 * typing a key, someone just turned away). They cost the room memory and, unchecked, let
 * anyone who knows a room's name crowd out its members. The rules, as pure functions:
 * a door socket lives DOOR_IDLE_MS, a room keeps at most MAX_DOOR_SOCKETS of them and a
 * client MAX_DOOR_SOCKETS_PER_CLIENT, and a newcomer always gets in by closing the oldest
 * instead of being refused, so a member resuming or someone with the key is never shut
 * out by idle sockets. The page reopens a socket closed this way when its person acts.
 */
import { DOOR_IDLE_MS, MAX_DOOR_SOCKETS, MAX_DOOR_SOCKETS_PER_CLIENT } from "./limits";

export interface DoorSocket {
  /** The client's hashed key. */
  client: string;
  /** When the socket came to the door: it opened, or its knock ended (ms since epoch). */
  since: number;
}

/** When door socket `door` is closed unless it joins or knocks first. */
export function doorDeadline(door: DoorSocket): number {
  return door.since + DOOR_IDLE_MS;
}

/** The door sockets whose time is up at `now`. */
export function idleDoors<T extends DoorSocket>(doors: readonly T[], now: number): T[] {
  return doors.filter((door) => doorDeadline(door) <= now);
}

/**
 * The door sockets to close so that one more from `client` fits: that client's oldest
 * beyond its own cap, then the room's oldest beyond the room's cap.
 */
export function makeRoomAtDoor<T extends DoorSocket>(doors: readonly T[], client: string): T[] {
  const oldestFirst = [...doors].sort((a, b) => a.since - b.since);
  const mine = oldestFirst.filter((door) => door.client === client);
  const close = mine.slice(0, Math.max(0, mine.length - (MAX_DOOR_SOCKETS_PER_CLIENT - 1)));
  const rest = oldestFirst.filter((door) => !close.includes(door));
  close.push(...rest.slice(0, Math.max(0, rest.length - (MAX_DOOR_SOCKETS - 1))));
  return close;
}
