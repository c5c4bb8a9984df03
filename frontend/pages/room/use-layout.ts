/**
 * The call's layout choice (grid or speaker view), remembered on this device, and whom the
 * speaker view shows: the rule is speakerOf in stage.ts; this only keeps the last speaker.
 */
import { effect, type ReadonlySignal } from "@preact/signals-core";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Peer } from "../../call/call";
import { type LayoutMode, speakerOf } from "../../components/stage";
import { readSetting, writeSetting } from "../../services/storage";

export const LAYOUT_KEY = "natter:layout";

export function useLayout(active: ReadonlySignal<string | null>, peers: readonly Peer[]) {
  const [mode, setModeState] = useState<LayoutMode>(() => (readSetting(LAYOUT_KEY) === "speaker" ? "speaker" : "grid"));
  const last = useRef<string | null>(null);
  const peersNow = useRef(peers);
  peersNow.current = peers;
  // In the grid, who speaks moves nothing: follow it without redrawing the room (which the
  // speaking indicator did several times a second in a bigger call), so that the speaker view
  // still opens on whoever spoke last. Only the speaker view reads the signal while drawing.
  useEffect(
    () =>
      effect(() => {
        last.current = speakerOf(active.value, last.current, peersNow.current);
      }),
    [active],
  );
  const speaker = speakerOf(mode === "speaker" ? active.value : null, last.current, peers);
  last.current = speaker;
  const setMode = (next: LayoutMode) => {
    setModeState(next);
    writeSetting(LAYOUT_KEY, next);
  };
  return { mode, setMode, speaker };
}
