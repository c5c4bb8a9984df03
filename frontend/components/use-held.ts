/** A boolean that lingers: for hints that should not flicker on and off with the signal behind them. */
import { useEffect, useState } from "preact/hooks";

/** `on`, held for `holdMs` after it turns off: a hint that flickers with every pause between words is noise. */
export function useHeld(on: boolean, holdMs: number): boolean {
  const [held, setHeld] = useState(on);
  useEffect(() => {
    if (on) {
      setHeld(true);
      return;
    }
    const timer = setTimeout(() => setHeld(false), holdMs);
    return () => clearTimeout(timer);
  }, [on, holdMs]);
  return on || held;
}
