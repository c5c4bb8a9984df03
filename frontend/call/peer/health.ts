/**
 * How one connection is doing, and the repair when it is not: the ICE watchdog's tick
 * (ice-watchdog.ts decides when an ICE restart is due) and the quality poll (quality.ts), which
 * also notices when the peer's packets stop coming although ICE says all is well.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import { iceRestartDue, WATCHDOG_TICK_MS } from "./ice-watchdog";
import {
  type ConnectionQuality,
  classifyQuality,
  type MediaExpected,
  QUALITY_POLL_MS,
  type QualitySample,
  qualityMetrics,
  readQualitySample,
} from "./quality";

export interface PeerHealthDeps {
  pc: RTCPeerConnection;
  polite: boolean;
  now(): number;
  /** Whether a restart may be made now (not while waiting for the peer's first offer, nor with the room away). */
  mayRestart(): boolean;
  lastNegotiationAt(): number;
  restartIce(): void;
  /** Each stats report once the connection has been up (the safety check and the upload budget read it too). */
  measured(report: RTCStatsReport): void;
  /** Every poll, stats or not. */
  polled(): void;
}

export class PeerHealth {
  readonly #deps: PeerHealthDeps;
  readonly #quality = signal<ConnectionQuality | null>(null);
  /** How good the link to this peer is; null until there is something to measure. */
  readonly quality: ReadonlySignal<ConnectionQuality | null> = this.#quality;
  /** When the ICE state last changed, for the watchdog. */
  #iceStateSince: number;
  #lastSample: QualitySample | null = null;
  /** When inbound packets stopped changing (see STALLED_RESTART_MS); null while they change or never came. */
  #stalledSince: number | null = null;
  #expected: MediaExpected = { video: true, audio: true };
  readonly #watchdog: ReturnType<typeof setInterval>;
  readonly #poll: ReturnType<typeof setInterval>;

  constructor(deps: PeerHealthDeps) {
    this.#deps = deps;
    this.#iceStateSince = deps.now();
    this.#watchdog = setInterval(() => this.#watch(), WATCHDOG_TICK_MS);
    this.#poll = setInterval(() => {
      void this.#sample();
      deps.polled();
    }, QUALITY_POLL_MS);
  }

  /** The ICE state changed: `failed` may be acted on at once; the tick handles everything that needs waiting. */
  iceStateChanged(): void {
    this.#iceStateSince = this.#deps.now();
    this.#watch();
  }

  /**
   * What the peer said it sends: with its camera off a black trickle of frames is no sign of a bad
   * link, and with camera and microphone off silence is no outage.
   */
  expectMedia(expected: MediaExpected): void {
    this.#expected = expected;
  }

  #watch(): void {
    const { pc, polite, now, mayRestart, lastNegotiationAt, restartIce } = this.#deps;
    if (!mayRestart()) return;
    const due = iceRestartDue({
      iceConnectionState: pc.iceConnectionState,
      stateSince: this.#iceStateSince,
      lastNegotiationAt: lastNegotiationAt(),
      polite,
      now: now(),
      stalledSince: this.#stalledSince,
    });
    if (due) restartIce();
  }

  async #sample(): Promise<void> {
    const pc = this.#deps.pc;
    const state = pc.connectionState;
    if (state === "closed") return;
    let report: RTCStatsReport;
    try {
      report = await pc.getStats();
    } catch {
      return;
    }
    // Nothing to judge before the first connection: a badge would only say "poor" about a call still ringing.
    if (this.#lastSample === null && (state === "new" || state === "connecting")) return;
    this.#deps.measured(report);
    const sample = readQualitySample(report.values());
    const metrics = qualityMetrics(this.#lastSample, sample, this.#expected);
    // "Changed", not "grew": a restart can replace the inbound streams, and their counters start over.
    if (sample.packetsReceived !== (this.#lastSample?.packetsReceived ?? 0)) this.#stalledSince = null;
    else if (sample.packetsReceived > 0) this.#stalledSince ??= this.#deps.now();
    this.#lastSample = sample;
    const ice = pc.iceConnectionState;
    this.#quality.value = { ...metrics, level: classifyQuality(metrics, ice === "failed" || ice === "disconnected") };
  }

  close(): void {
    clearInterval(this.#watchdog);
    clearInterval(this.#poll);
  }
}
