/**
 * The room's dialogs, at most one open at a time: locking, locking so that someone can be removed
 * for good, confirming a removal, the settings, the shortcut list and a connection's safety code.
 * None is needed to show the call, so this module and the dialogs load in a chunk of their own,
 * fetched 2 s after the call appears (RoomView.tsx); which one is open is dialog-state.ts.
 */
import type { CallHandle, Peer } from "../../call/call";
import { labelFor, type NameLabel } from "../../call/names";
import { ConfirmRemoveDialog } from "../../components/ConfirmRemoveDialog";
import { LockDialog } from "../../components/LockDialog";
import { SafetyCodeDialog } from "../../components/SafetyCodeDialog";
import { SettingsDialog } from "../../components/SettingsDialog";
import { ShortcutsDialog } from "../../components/ShortcutList";
import type { Dialog } from "./dialog-state";

/** Which safety codes the people marked as verified (the engine keeps them), and how to mark one. */
export interface VerifiedCodes {
  isVerified(peer: Peer): boolean;
  setVerified(peer: Peer, verified: boolean): void;
}

interface RoomDialogsProps extends VerifiedCodes {
  dialog: Dialog;
  call: CallHandle;
  labels: ReadonlyMap<string, NameLabel>;
  selfShown: boolean;
  onSelfShown(shown: boolean): void;
  onClose(): void;
}

export function RoomDialogs({ dialog, call, labels, selfShown, onSelfShown, onClose, ...verified }: RoomDialogsProps) {
  const labelOf = (peer: Peer) => labelFor(labels, peer.id, peer.name);
  switch (dialog.kind) {
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
