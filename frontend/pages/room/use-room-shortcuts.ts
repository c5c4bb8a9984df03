/**
 * What each keyboard shortcut does in the call (services/shortcuts.ts maps keys to actions):
 * split from RoomView.tsx, which only says when shortcuts apply (in the call, no dialog open).
 */
import { REACTIONS } from "../../../common/protocol";
import type { CallHandle, CallStatus } from "../../call/call";
import { useShortcuts } from "../../components/use-shortcuts";
import type { ShortcutAction } from "../../services/shortcuts";
import type { Controls } from "./use-controls";
import type { useLayout } from "./use-layout";
import type { usePip } from "./use-pip";

interface RoomShortcuts {
  call: CallHandle;
  status: CallStatus;
  /** In the call, and no dialog open: otherwise the keys are the page's. */
  enabled: boolean;
  controls: Controls;
  chatOpen: boolean;
  peopleOpen: boolean;
  setPeopleOpen(open: boolean): void;
  layout: ReturnType<typeof useLayout>;
  pip: ReturnType<typeof usePip>;
  showShortcuts(): void;
}

export function useRoomShortcuts(room: RoomShortcuts): void {
  const { call, status, enabled, controls, chatOpen, peopleOpen, setPeopleOpen, layout, pip, showShortcuts } = room;
  useShortcuts((action: ShortcutAction) => {
    if (!enabled) return;
    if (action === "microphone") controls.toggleMic();
    else if (action === "camera") controls.toggleCamera();
    else if (action === "screen" && call.canShareScreen) void controls.toggleScreen();
    else if (action === "chat") controls.setChatOpen(!chatOpen);
    else if (action === "people") setPeopleOpen(!peopleOpen);
    else if (action === "layout") layout.setMode(layout.mode === "grid" ? "speaker" : "grid");
    else if (action === "pip" && pip.supported) void pip.toggle();
    else if (action === "hand" && status === "joined") {
      if (call.hands.value.includes(call.selfId.value ?? "")) call.lowerHand();
      else call.raiseHand();
    } else if (action.startsWith("react-") && status === "joined") {
      const emoji = REACTIONS[Number(action.slice("react-".length)) - 1];
      if (emoji) call.react(emoji);
    } else if (action === "help") showShortcuts();
  });
}
