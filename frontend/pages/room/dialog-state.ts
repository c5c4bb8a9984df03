/**
 * Which of the room's dialogs is open (at most one), and how that follows the lock. Kept apart
 * from the dialogs themselves (RoomDialogs.tsx), whose code loads in a chunk of its own after
 * the call is on screen: the call view needs this state from its first frame, the dialogs not.
 */
import { useEffect, useState } from "preact/hooks";
import type { CallState, Peer } from "../../call/call";

/** Which dialog is open: locking, locking so that someone can be removed for good, confirming a removal, or the call's settings. */
export type Dialog =
  | { kind: "lock" }
  | { kind: "lock-then-remove"; peer: Peer }
  | { kind: "confirm-remove"; peer: Peer }
  | { kind: "settings" }
  | { kind: "shortcuts" }
  | { kind: "safety-code"; peer: Peer };

/** The open dialog, which follows the lock: a lock taken by someone else meanwhile changes what is left to ask. */
export function useRoomDialog(lock: CallState["lock"]["value"]) {
  const [dialog, setDialog] = useState<Dialog | null>(null);
  useEffect(() => {
    // Locked by someone else meanwhile: locking again would replace their key with ours.
    if (!lock) return;
    setDialog((open) => {
      if (open?.kind === "lock") return null;
      if (open?.kind === "lock-then-remove") return { kind: "confirm-remove", peer: open.peer };
      return open;
    });
  }, [lock]);
  return [dialog, setDialog] as const;
}

/** Removing someone from an unlocked room only works until they open the link again: lock first. */
export function removalDialog(locked: boolean, peer: Peer): Dialog {
  return { kind: locked ? "confirm-remove" : "lock-then-remove", peer };
}
