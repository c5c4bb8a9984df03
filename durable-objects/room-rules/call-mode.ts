/**
 * Mesh or SFU: the room decides once, for everyone, how the call's media travels, and says so
 * (issue #18, "Mesh below, SFU above"). Only a room with the SFU configured ever leaves mesh;
 * without it nothing here stores, sends or schedules anything, and the cap is MAX_PEERS as always.
 *
 * - Calls of up to `sfuThreshold` people stay peer to peer; the join that makes one more turns
 *   the call to `sfu` (and a join past the mesh cap does too, rather than being refused).
 * - When the call is small enough again, the room waits CALL_MODE_HOLD_MS (as Jitsi does) and
 *   goes back to `mesh` only if it still is then: a call hovering around the threshold stays
 *   on the SFU instead of switching back and forth. A join past the threshold cancels the wait.
 * - Everyone counts who is in the call: connected, or briefly away (they may resume any moment,
 *   and they hold their place under the cap as well).
 *
 * Making the switch without a frozen tile (publish to the SFU, then close the peer
 * connections) is the clients' job; the room keeps relaying both mesh signals and sfu-* requests
 * in either mode, so a switch in progress loses nothing.
 */
import type { CallMode } from "../../common/protocol";
import type { Changes } from "./changes";
import type { Settings } from "./facts";
import { CALL_MODE_HOLD_MS, DEFAULT_SFU_MAX_PEERS, DEFAULT_SFU_THRESHOLD, SFU_PEERS_LIMIT } from "./limits";

/** The call mode as stored (absent from storage: mesh, with no wait running). */
export interface CallModeRecord {
  mode: CallMode;
  /** In `sfu` only: since when the call has been small enough for mesh (the hold runs from here). */
  smallSince?: number;
}

export const MESH: CallModeRecord = { mode: "mesh" };

/** The SFU part of the settings, read from the environment; anything invalid falls back to the default. */
export function callModeSettings(env: { SFU_THRESHOLD?: string; SFU_MAX_PEERS?: string }) {
  const threshold = Number(env.SFU_THRESHOLD);
  const sfuMaxPeers = Number(env.SFU_MAX_PEERS);
  return {
    sfuThreshold: Number.isInteger(threshold) && threshold >= 1 ? threshold : DEFAULT_SFU_THRESHOLD,
    sfuMaxPeers:
      Number.isInteger(sfuMaxPeers) && sfuMaxPeers >= 2 && sfuMaxPeers <= SFU_PEERS_LIMIT
        ? sfuMaxPeers
        : DEFAULT_SFU_MAX_PEERS,
  };
}

/** The most people one call may hold: MAX_PEERS for a mesh, the SFU cap where the SFU can take over. */
export function capacity(settings: Settings): number {
  return settings.sfu ? Math.max(settings.maxPeers, settings.sfuMaxPeers) : settings.maxPeers;
}

/** Whether a call of `members` people has no place for one more: the one test of "full", for joins and knocks. */
export function isFull(settings: Settings, members: number): boolean {
  return members >= capacity(settings);
}

/**
 * The most people a mesh call holds: the threshold, and never more than the mesh cap (a join
 * beyond MAX_PEERS goes to the SFU rather than being refused).
 */
export function meshLimit(settings: Settings): number {
  return Math.min(settings.sfuThreshold, settings.maxPeers);
}

/** The mode a call of `members` people is in at `now`, coming from `record`. Pure: the whole rule. */
export function nextCallMode(record: CallModeRecord, members: number, now: number, settings: Settings): CallModeRecord {
  if (!settings.sfu) return MESH;
  if (members > meshLimit(settings)) return { mode: "sfu" };
  if (record.mode === "mesh") return MESH;
  const smallSince = Math.min(record.smallSince ?? now, now);
  return now - smallSince >= CALL_MODE_HOLD_MS ? MESH : { mode: "sfu", smallSince };
}

/** When the room must look again (the hold ends), or null when nothing is waiting. */
export function callModeDueAt(record: CallModeRecord): number | null {
  return record.mode === "sfu" && record.smallSince !== undefined ? record.smallSince + CALL_MODE_HOLD_MS : null;
}

/**
 * Brings the call mode up to date for a call of `members` people: stores what changed and,
 * when the mode itself changed, tells every member (but `except`, a newcomer whose welcome
 * says it). Without the SFU configured it does nothing at all.
 */
export function settleCallMode(changes: Changes, members: number, except: string | null): void {
  if (!changes.facts.settings.sfu) return;
  const before = changes.callMode();
  const after = nextCallMode(before, members, changes.now, changes.facts.settings);
  if (after.mode === before.mode && after.smallSince === before.smallSince) return;
  changes.setCallMode(after);
  if (after.mode !== before.mode) changes.broadcast(except, { type: "call-mode", mode: after.mode });
}
