/**
 * The quality badge of a member whose media comes through the SFU. There is no peer connection to
 * that member to measure, so the badge reads what arrives from it: its receivers' stats (loss and
 * decoded frame rate of its streams as the SFU forwards them) and the round trip of the candidate
 * pair those stats name, which is our link to the SFU. The same metrics and thresholds as a peer
 * connection's (quality.ts), so "fair", "poor" and "No media arriving" mean the same in both modes.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import {
  type ConnectionQuality,
  classifyQuality,
  type MediaExpected,
  type QualitySample,
  qualityMetrics,
  readQualitySample,
} from "./quality";

export class ReceiverQuality {
  readonly #quality = signal<ConnectionQuality | null>(null);
  /** How good what arrives from this member is; null until its first sample. */
  readonly quality: ReadonlySignal<ConnectionQuality | null> = this.#quality;
  #last: QualitySample | null = null;
  /** The receivers #last was read from: a new pull brings new receivers, whose counters start at zero. */
  #lastReceivers: readonly RTCRtpReceiver[] = [];

  /**
   * Reads the receivers' stats once. `iceBroken`: our connection to the SFU is disconnected or
   * failed, which makes every member's badge "poor" (the peer connection's rule, quality.ts).
   */
  async sample(receivers: readonly RTCRtpReceiver[], expected: MediaExpected, iceBroken: boolean): Promise<void> {
    const entries: RTCStats[] = [];
    try {
      for (const receiver of receivers) for (const entry of (await receiver.getStats()).values()) entries.push(entry);
    } catch {
      // A receiver whose transceiver just stopped (the member left, or stopped sharing): next time.
      return;
    }
    const sample = readQualitySample(entries);
    const sameReceivers =
      receivers.length === this.#lastReceivers.length && receivers.every((r, i) => r === this.#lastReceivers[i]);
    // Compared with the previous sample only when it counted the same streams: otherwise a counter
    // that started over would read as packets never received, and the badge as an outage.
    const metrics = qualityMetrics(sameReceivers ? this.#last : null, sample, expected);
    this.#last = sample;
    this.#lastReceivers = [...receivers];
    this.#quality.value = { ...metrics, level: classifyQuality(metrics, iceBroken) };
  }
}
