import { useEffect, useRef } from "preact/hooks";
import { type ShortcutAction, shortcutFor } from "../services/shortcuts";

/** Calls `handle` for the call's keyboard shortcuts while mounted (see shortcuts.ts for when a key is one). */
export function useShortcuts(handle: (action: ShortcutAction) => void): void {
  const latest = useRef(handle);
  latest.current = handle;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const action = shortcutFor(event);
      if (!action) return;
      event.preventDefault();
      latest.current(action);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
}
