/**
 * Which frame counters a receiver has already accepted under one key, after SRTP's replay list
 * (RFC 3711 §3.3.2): the highest counter seen and a window of 128 behind it. Frames may arrive a
 * little out of order (audio is handed over per packet), so a counter inside the window that was
 * not seen yet is fine; a counter seen before, or too old to tell, is a replay and is dropped.
 * Only authenticated frames are recorded, so forged frames cannot move the window.
 */

export const REPLAY_WINDOW = 128;

export class ReplayWindow {
  #highest = -1;
  /** Bit i set: counter highest - i was accepted. */
  #seen = 0n;

  /** Whether a frame with this counter may still be accepted (without recording it). */
  check(counter: number): "fresh" | "replay" | "too-old" {
    if (counter > this.#highest) return "fresh";
    const behind = this.#highest - counter;
    if (behind >= REPLAY_WINDOW) return "too-old";
    return ((this.#seen >> BigInt(behind)) & 1n) === 0n ? "fresh" : "replay";
  }

  /** Records an authenticated frame's counter; call only after `check` said fresh. */
  accept(counter: number): void {
    const mask = (1n << BigInt(REPLAY_WINDOW)) - 1n;
    if (counter > this.#highest) {
      const shift = counter - this.#highest;
      this.#seen = shift >= REPLAY_WINDOW ? 1n : ((this.#seen << BigInt(shift)) | 1n) & mask;
      this.#highest = counter;
    } else {
      this.#seen |= 1n << BigInt(this.#highest - counter);
    }
  }
}
