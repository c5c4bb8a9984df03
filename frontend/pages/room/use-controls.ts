/**
 * What the call's controls do, shared by the control bar and the keyboard shortcuts so that a key
 * and a click always do the same thing: toggles that do nothing without the device, screen sharing
 * with its refusal shown as a notice, and the chat panel with focus given back on close.
 */
import { useRef, useState } from "preact/hooks";
import type { CallHandle } from "../../call/call";
import type { Problem } from "../../i18n/problem";

export interface Controls {
  toggleMic(): void;
  toggleCamera(): void;
  toggleScreen(): Promise<void>;
  setChatOpen(open: boolean): void;
  /** Why the last screen share did not start, until the next try. */
  notice: Problem | null;
  /** The chat button, where focus returns when the panel closes. */
  chatButton: { current: HTMLButtonElement | null };
}

export function useControls(call: CallHandle): Controls {
  const [notice, setNotice] = useState<Problem | null>(null);
  const chatButton = useRef<HTMLButtonElement>(null);
  const media = call.media;
  const micOn = media.micOn.value;
  const cameraOn = media.cameraOn.value;
  const hasAudio = media.audioTrack.value !== null;
  const hasVideo = media.videoTrack.value !== null;
  const sharing = call.screenStream.value !== null;

  const toggleMic = () => hasAudio && call.setMicrophone(!micOn);
  const toggleCamera = () => hasVideo && call.setCamera(!cameraOn);
  const toggleScreen = async () => {
    if (sharing) {
      call.stopScreenShare();
      return;
    }
    setNotice(await call.shareScreen());
  };
  const setChatOpen = (open: boolean) => {
    call.setChatOpen(open);
    // The panel goes away with the focus in it: put focus back where the person opened it from.
    if (!open) chatButton.current?.focus();
  };
  return { toggleMic, toggleCamera, toggleScreen, setChatOpen, notice, chatButton };
}
