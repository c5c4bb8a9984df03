/**
 * How loud a peer is, from what the browser already knows about the audio it receives: every
 * audio packet carries its level (RFC 6464, negotiated by default), and the receiver keeps the
 * latest one. Reading it costs nothing, where measuring the decoded sound means a Web Audio
 * source and analyser per peer, on an audio thread that runs all call long: in a 4-person call
 * that was most of natter's CPU above the floor's (BENCHMARKS.md, "What each join change bought").
 */
import { FLOOR_DB } from "../../services/audio-level";

/** A packet older than this says nothing about now: the peer stopped sending (muted with DTX, or gone). */
export const STALE_LEVEL_MS = 1_000;

/** The level of the audio `pc` receives, in dBov (about dBFS); null when nothing can be read yet. */
export function receivedLevelDb(pc: RTCPeerConnection): number | null {
  const receiver = pc.getReceivers().find((r) => r.track.kind === "audio" && r.track.readyState === "live");
  return receiver ? receiverLevelDb(receiver) : null;
}

/** The level of the audio one receiver gets (in SFU mode, one per member on a shared connection). */
export function receiverLevelDb(receiver: RTCRtpReceiver): number | null {
  if (typeof receiver.getSynchronizationSources !== "function") return null;
  const sources = receiver.getSynchronizationSources();
  if (sources.length === 0) return FLOOR_DB;
  const latest = sources.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
  // The spec's clock is the page's (performance.now()); Chromium gives wall-clock milliseconds.
  const now = latest.timestamp > 1e12 ? Date.now() : performance.now();
  if (now - latest.timestamp > STALE_LEVEL_MS) return FLOOR_DB;
  return linearToDb(latest.audioLevel);
}

/** RTCRtpSynchronizationSource.audioLevel is linear, 1 = 0 dBov, 0 = silence. */
export function linearToDb(level: number | undefined): number {
  if (level === undefined || !(level > 0)) return FLOOR_DB;
  return Math.max(FLOOR_DB, 20 * Math.log10(level));
}
