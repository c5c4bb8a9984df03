/**
 * The room's dialogs, at most one open at a time: locking, locking so that someone can be removed
 * for good, confirming a removal, the settings, the shortcut list and a connection's safety code.
 */
import { useEffect, useState } from "preact/hooks";
import type { CallHandle, CallState, Peer } from "../../call/call";
import { labelFor, type NameLabel } from "../../call/names";
import { ConfirmRemoveDialog } from "../../components/ConfirmRemoveDialog";
import { LockDialog } from "../../components/LockDialog";
import { SafetyCodeDialog } from "../../components/SafetyCodeDialog";
import { SettingsDialog } from "../../components/SettingsDialog";
import { ShortcutsDialog } from "../../components/ShortcutList";

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

/** Which safety codes the people marked as verified (the engine keeps them), and how to mark one. */
export interface VerifiedCodes {
  isVerified(peer: Peer): boolean;
  setVerified(peer: Peer, verified: boolean): void;
}

interface RoomDialogsProps extends VerifiedCodes {
  dialog: Dialog | null;
  call: CallHandle;
  labels: ReadonlyMap<string, NameLabel>;
  selfShown: boolean;
  onSelfShown(shown: boolean): void;
  onClose(): void;
}

export function RoomDialogs({ dialog, call, labels, selfShown, onSelfShown, onClose, ...verified }: RoomDialogsProps) {
  const labelOf = (peer: Peer) => labelFor(labels, peer.id, peer.name);
  switch (dialog?.kind) {
    case undefined:
      return null;
    case "lock":
      return <LockDialog onLock={(key) => call.lockRoom(key)} onClose={onClose} />;
    case "lock-then-remove":
      return (
        <LockDialog
          removing={labelOf(dialog.peer)}
          onLock={(key) => call.lockRoom(key, { thenRemove: dialog.peer.id })}
          onClose={onClose}
        />
      );
    case "confirm-remove":
      return (
        <ConfirmRemoveDialog
          label={labelOf(dialog.peer)}
          onRemove={() => call.removePeer(dialog.peer.id)}
          onClose={onClose}
        />
      );
    case "settings":
      return <SettingsDialog call={call} selfViewShown={selfShown} onSelfViewShown={onSelfShown} onClose={onClose} />;
    case "shortcuts":
      return <ShortcutsDialog onClose={onClose} />;
    case "safety-code":
      return (
        <SafetyCodeDialog
          label={labelOf(dialog.peer)}
          code={dialog.peer.safetyCode}
          verified={verified.isVerified(dialog.peer)}
          onVerifiedChange={(on) => verified.setVerified(dialog.peer, on)}
          onClose={onClose}
        />
      );
  }
}
