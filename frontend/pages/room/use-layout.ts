/**
 * The call's layout choice (grid or speaker view), remembered on this device, and whom the
 * speaker view shows: the rule is speakerOf in stage.ts; this only keeps the last speaker.
 */
import { useRef, useState } from "preact/hooks";
import type { Peer } from "../../call/call";
import { type LayoutMode, speakerOf } from "../../components/stage";
import { readSetting, writeSetting } from "../../services/storage";

export const LAYOUT_KEY = "natter:layout";

export function useLayout(active: string | null, peers: readonly Peer[]) {
  const [mode, setModeState] = useState<LayoutMode>(() => (readSetting(LAYOUT_KEY) === "speaker" ? "speaker" : "grid"));
  const last = useRef<string | null>(null);
  const speaker = speakerOf(active, last.current, peers);
  last.current = speaker;
  const setMode = (next: LayoutMode) => {
    setModeState(next);
    writeSetting(LAYOUT_KEY, next);
  };
  return { mode, setMode, speaker };
}
