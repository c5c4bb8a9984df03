/**
 * When a peer connection should restart ICE. A network change (Wi-Fi to cellular, a VPN coming
 * up, a TURN server going away) breaks the candidate pair in use; ICE alone never looks for a
 * new one, so one side must restart it through a new offer.
 *
 * Both ends watch the same connection and would often restart at the same moment, and two
 * restart offers at once is offer glare, whose rollback trips the Chromium bug described at
 * FIRST_OFFER_WAIT_MS. So the impolite side (the one whose offer wins glare) goes first, and the
 * polite side only steps in if nothing happened for POLITE_EXTRA_MS longer.
 */

/** `failed` is final; a `disconnected` pair often recovers by itself (a lost packet burst), but not after this. */
export const DISCONNECTED_RESTART_MS = 5_000;
/**
 * A connection still `new` this long after its last negotiation never heard a candidate from the
 * peer. (`checking` is left to ICE itself, which declares `failed` when its checks time out: on a
 * busy machine checks can take tens of seconds, and restarting them would only start them over.)
 */
export const STUCK_RESTART_MS = 15_000;
/**
 * ICE says `connected` but nothing has arrived from the peer for this long, although it had been
 * sending (a muted microphone and a camera turned off still send packets: silence, black frames).
 * Seen between Chromium and Firefox 153: after Chromium restarts ICE, Firefox answers, stays
 * `connected`, and receives nothing more; a restart from the Firefox side repairs it.
 */
export const STALLED_RESTART_MS = 6_000;
/** How long the polite side waits on top, to give the impolite side's restart time to arrive. */
export const POLITE_EXTRA_MS = 3_000;
/** A restart takes a while to show results; restarting again sooner would only interrupt it. */
export const MIN_RESTART_GAP_MS = 10_000;
/** How often connections are checked: fine enough against the thresholds above. */
export const WATCHDOG_TICK_MS = 1_000;

export interface WatchdogInput {
  iceConnectionState: RTCIceConnectionState;
  /** When the connection entered that state. */
  stateSince: number;
  /** When we last sent an offer or applied the peer's: any negotiation resets the clock. */
  lastNegotiationAt: number;
  polite: boolean;
  now: number;
  /** Since when no packet has arrived from a peer that had been sending; null while packets arrive (or never did). */
  stalledSince?: number | null;
}

/** Whether to restart ICE now. Pure, so the rules are tested without a browser. */
export function iceRestartDue(input: WatchdogInput) {
  const { iceConnectionState, lastNegotiationAt, polite, now, stalledSince = null } = input;
  let stateSince = input.stateSince;
  let threshold: number;
  switch (iceConnectionState) {
    case "failed":
      threshold = 0;
      break;
    case "disconnected":
      threshold = DISCONNECTED_RESTART_MS;
      break;
    case "new":
      threshold = STUCK_RESTART_MS;
      break;
    case "connected":
    case "completed":
      if (stalledSince === null) return false;
      threshold = STALLED_RESTART_MS;
      stateSince = Math.max(stateSince, stalledSince);
      break;
    default:
      // checking (see STUCK_RESTART_MS), closed.
      return false;
  }
  if (now - lastNegotiationAt < MIN_RESTART_GAP_MS) return false;
  const quietFor = now - Math.max(stateSince, lastNegotiationAt);
  return quietFor >= threshold + (polite ? POLITE_EXTRA_MS : 0);
}
