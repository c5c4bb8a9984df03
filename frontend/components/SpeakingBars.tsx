/**
 * The three bars beside a speaking person's name, as tall as they are loud. They used to bounce
 * on an endless CSS animation, which made every page in a call draw a frame on every screen
 * refresh while anyone spoke: in an 8-person call on two cores that was most of the work. Now the
 * bars follow the level the call already samples (ten times a second), written straight into
 * the bars' style (no render of the tile) and only when it moves by a visible step: a steady
 * voice draws nothing at all, a changing one at most ten frames a second.
 */
import { effect, type ReadonlySignal } from "@preact/signals-core";
import { useEffect, useRef } from "preact/hooks";
import { SPEAKING_DB } from "../services/audio-level";

/** Just under the speaking threshold the bars are at their lowest; this loud (dBFS) they are full. */
const QUIET_DB = SPEAKING_DB - 5;
const LOUD_DB = -20;
/** Visible steps between lowest and full: a bar 14 px high moves about 2 px a step. */
export const LEVEL_STEPS = 6;

/** Where `db` puts the bars, from 0 (lowest) to 1 (full), in LEVEL_STEPS steps. */
export function barLevel(db: number): number {
  const fraction = Math.max(0, Math.min(1, (db - QUIET_DB) / (LOUD_DB - QUIET_DB)));
  return Math.round(fraction * LEVEL_STEPS) / LEVEL_STEPS;
}

export function SpeakingBars({ level }: { level: ReadonlySignal<number> | undefined }) {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const bars = ref.current;
    if (!bars || !level) return;
    let shown: number | null = null;
    return effect(() => {
      const next = barLevel(level.value);
      if (next === shown) return;
      shown = next;
      // A custom property set through the CSSOM: the CSP allows it, and Tile.css turns it into each bar's height.
      bars.style.setProperty("--level", String(next));
    });
  }, [level]);
  return (
    <span ref={ref} class="tile__speaking" aria-hidden="true" data-testid="speaking-bars">
      <i />
      <i />
      <i />
    </span>
  );
}
