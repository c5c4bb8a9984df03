/**
 * When the room must next wake up. A Durable Object that wants to act later sets an alarm
 * (timers would keep it in memory), and it has one alarm: the earliest of everything due.
 *
 * What can be due: a knock to lapse, a door socket to close for idling, an away identity
 * whose grace ends, the next liveness check while anyone is (or may be) connected, the end of
 * the call mode's hold (call-mode.ts: `callModeDueAt`), and the purge of an empty room, counted
 * from when it became empty.
 */
import { LIVENESS_CHECK_MS } from "../../common/heartbeat";
import { doorDeadline } from "./door";
import { EMPTY_ROOM_PURGE_MS, KNOCK_LAPSE_MS } from "./limits";
import type { RoomState } from "./state";

export interface Schedule {
  /** When the room became empty (kept, or now), or null while anyone is in it. */
  emptySince: number | null;
  /** The next alarm, or null for none. */
  alarmAt: number | null;
}

export function schedule(room: RoomState, now: number, callModeDueAt: number | null = null): Schedule {
  const times = room.knocks().map(({ knock }) => knock.at + KNOCK_LAPSE_MS);
  if (callModeDueAt !== null) times.push(callModeDueAt);
  for (const door of room.doors()) times.push(doorDeadline(door));
  // An identity the room counts as connected without a socket lost it in a restart: the
  // next check gives it its grace period (alarm.ts).
  let orphans = false;
  for (const { member, until } of room.identities()) {
    if (until !== null) times.push(until);
    else if (room.socketOf(member.id) === undefined) orphans = true;
  }
  if (room.connectedMembers().length > 0 || orphans) times.push(now + LIVENESS_CHECK_MS);
  const emptySince = room.isEmpty() ? (room.emptySince ?? now) : null;
  if (emptySince !== null) times.push(emptySince + EMPTY_ROOM_PURGE_MS);
  return { emptySince, alarmAt: times.length === 0 ? null : Math.min(...times) };
}
