import { useEffect, useState } from "preact/hooks";

/**
 * The current time, re-rendering every `intervalMs` while `active`. Read fresh on each render
 * (not from state) so that a countdown is right on its very first frame.
 */
export function useTickingClock(active: boolean, intervalMs = 1_000): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((n) => n + 1), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return Date.now();
}
