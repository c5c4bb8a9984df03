/**
 * Push to talk for the call page: Space held (where it is push to talk, see shortcuts.ts) calls
 * `hold(true)`, and letting go calls `hold(false)`. So that nobody stays live by accident, it also
 * lets go when the window loses focus or the tab is hidden (the key-up would go elsewhere), when
 * `enabled` turns false (a dialog opened, the call ended), and when the page goes away.
 */
import { useEffect, useRef } from "preact/hooks";
import { isPushToTalk } from "../services/shortcuts";

export function usePushToTalk(enabled: boolean, hold: (held: boolean) => void): void {
  const latest = useRef(hold);
  latest.current = hold;
  useEffect(() => {
    if (!enabled) return;
    let held = false;
    const letGo = () => {
      if (!held) return;
      held = false;
      latest.current(false);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (!isPushToTalk(event)) return;
      // A held Space repeats: the same hold, but each repeat would scroll the page.
      event.preventDefault();
      if (held) return;
      held = true;
      latest.current(true);
    };
    // Any Space let go ends the hold, wherever focus went meanwhile.
    const onKeyUp = (event: KeyboardEvent) => {
      if (event.key === " ") letGo();
    };
    const onHidden = () => {
      if (document.visibilityState === "hidden") letGo();
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("keyup", onKeyUp);
    window.addEventListener("blur", letGo);
    document.addEventListener("visibilitychange", onHidden);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("keyup", onKeyUp);
      window.removeEventListener("blur", letGo);
      document.removeEventListener("visibilitychange", onHidden);
      letGo();
    };
  }, [enabled]);
}
