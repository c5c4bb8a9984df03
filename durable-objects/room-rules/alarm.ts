/**
 * What the room does when its alarm rings (schedule.ts sets it): everything that must happen
 * later because nobody's message will make it happen. In order: knocks nobody answered lapse;
 * away identities whose grace ran out end for good; members whose tab vanished without
 * closing its socket are timed out; idle sockets at the door are closed; and a room that has
 * been empty long enough forgets everything.
 */
import { CloseCode } from "../../common/close-codes";
import { HEARTBEAT_TIMEOUT_MS } from "../../common/heartbeat";
import type { Changes } from "./changes";
import { closeAtDoor, depart, leftForGood } from "./departure";
import { idleDoors } from "./door";
import { ASK_RECORDS, type Ask } from "./facts";
import { lapseKnocks } from "./knock";
import { EMPTY_ROOM_PURGE_MS, RESUME_GRACE_MS } from "./limits";

export function alarm(changes: Changes): Ask | undefined {
  if (!changes.facts.records) return ASK_RECORDS;
  lapseKnocks(changes);
  endExpiredIdentities(changes);
  timeOutSilentMembers(changes);
  for (const { ref } of idleDoors(changes.room.doors(), changes.now)) {
    closeAtDoor(changes, ref, "Not joined in time; reconnect to join.");
  }
  if (isDueForPurge(changes)) changes.purge();
  else changes.reschedule();
}

/**
 * Members who dropped and did not come back within RESUME_GRACE_MS are gone for good. An
 * identity the room still counts as connected but that has no socket lost it in a restart
 * (which closes sockets without telling the object): from now on it is away, with the usual grace.
 */
export function endExpiredIdentities(changes: Changes): void {
  const { room, now } = changes;
  for (const record of room.identities()) {
    if (room.socketOf(record.member.id) !== undefined) continue;
    if (record.until === null) {
      changes.putIdentity({ ...record, until: now + RESUME_GRACE_MS });
    } else if (record.until <= now) {
      changes.dropIdentity(record.member.id);
      leftForGood(changes, record.member.id);
    }
  }
}

/**
 * A tab that vanished without closing its socket (power loss, a phone that lost its network)
 * stops sending heartbeats, which the runtime answers without waking the room but records.
 * Silent for = time since the later of admission and last heartbeat; heartbeat ages come from
 * the runtime's clock, so they are measured on it, not on the room's.
 */
export function timeOutSilentMembers(changes: Changes): void {
  for (const { ref } of changes.room.connectedMembers()) {
    const { since = 0 } = changes.room.attachment(ref);
    const heartbeatAge = changes.facts.sockets[ref]?.heartbeatAgeMs ?? Number.POSITIVE_INFINITY;
    if (Math.min(changes.now - since, heartbeatAge) < HEARTBEAT_TIMEOUT_MS) continue;
    changes.close(ref, CloseCode.timedOut, "No heartbeat: the connection was lost.");
    depart(changes, ref, CloseCode.timedOut);
  }
}

/** An empty room keeps its data EMPTY_ROOM_PURGE_MS, so a reload does not drop a lock, and then none. */
function isDueForPurge(changes: Changes): boolean {
  const { room, now } = changes;
  return room.emptySince !== null && now - room.emptySince >= EMPTY_ROOM_PURGE_MS && room.isEmpty();
}
