/**
 * Which safety codes the people in this call marked as verified, by peer. A mark is for one code:
 * a new connection to the same peer has a new certificate, hence a new code, and starts unverified.
 * Security state, so it lives in the engine beside the codes, not in a view that may remount.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import type { SafetyState } from "./peer/safety-exchange";

export class Verification {
  readonly #codes = signal<ReadonlyMap<string, string>>(new Map());

  /** Whether `peerId`'s current safety code is the one marked verified (reads a signal: views redraw). */
  isVerified(peerId: string, safetyCode: ReadonlySignal<SafetyState>): boolean {
    const code = codeOf(safetyCode.value);
    return code !== null && this.#codes.value.get(peerId) === code;
  }

  /** Marks (or unmarks) the code the peer's connection shows now; there is nothing to mark before it shows one. */
  mark(peerId: string, safetyCode: ReadonlySignal<SafetyState>, verified: boolean): void {
    const code = codeOf(safetyCode.peek());
    const codes = new Map(this.#codes.peek());
    if (verified && code !== null) codes.set(peerId, code);
    else codes.delete(peerId);
    this.#codes.value = codes;
  }
}

function codeOf(state: SafetyState): string | null {
  return state.kind === "code" ? state.code : null;
}
