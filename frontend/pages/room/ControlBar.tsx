/**
 * The buttons under the call: microphone, camera, screen, hand, reactions, chat, people, link,
 * lock, settings, leave. Each
 * is named after what pressing it does now; what it does lives in use-controls.ts, shared with
 * the keyboard shortcuts.
 */
import type { CallHandle } from "../../call/call";
import { CopyLinkButton } from "../../components/CopyLinkButton";
import { CameraButton, ControlButton, MicButton } from "../../components/MediaButtons";
import { ReactionPicker } from "../../components/ReactionPicker";
import { t } from "../../i18n/active";
import { choose } from "../../i18n/plural";
import type { Controls } from "./use-controls";

interface ControlBarProps {
  call: CallHandle;
  controls: Controls;
  /** Speaking while muted: the microphone button pulses. */
  mutedSpeaking?: boolean;
  onLock(): void;
  onSettings(): void;
  peopleOpen: boolean;
  onPeople(): void;
  /** The People button, where focus returns when the list closes. */
  peopleButton: { current: HTMLButtonElement | null };
  onLeave(): void;
}

export function ControlBar(props: ControlBarProps) {
  const {
    call,
    controls,
    mutedSpeaking = false,
    onLock,
    onSettings,
    onLeave,
    peopleOpen,
    onPeople,
    peopleButton,
  } = props;
  const status = call.status.value;
  const inCall = status === "joined" || status === "reconnecting";
  const lock = call.lock.value;
  const media = call.media;
  const sharing = call.screenStream.value !== null;
  const chatOpen = call.chat.open.value;
  const unread = call.chat.unread.value;
  const text = t();
  const handUp = call.hands.value.includes(call.selfId.value ?? "");
  return (
    <div class="room__controls">
      <div class="room__controls-main">
        <MicButton
          on={media.micOn.value}
          available={media.audioTrack.value !== null}
          onToggle={controls.toggleMic}
          shortcut="M"
          talking={media.pushToTalk.value}
          pulse={mutedSpeaking}
        />
        <CameraButton
          on={media.cameraOn.value}
          available={media.videoTrack.value !== null}
          onToggle={controls.toggleCamera}
          shortcut="V"
        />
        {call.canShareScreen && (
          <ControlButton
            label={sharing ? text.stopSharing : text.shareScreen}
            icon={sharing ? "screen-off" : "screen"}
            class={sharing ? "control--active" : undefined}
            shortcut="D"
            disabled={!inCall}
            onClick={() => void controls.toggleScreen()}
          />
        )}
        <ControlButton
          label={handUp ? text.lowerHand : text.raiseHand}
          icon="hand"
          class={handUp ? "control--active" : undefined}
          shortcut="R"
          disabled={status !== "joined"}
          onClick={() => (handUp ? call.lowerHand() : call.raiseHand())}
        />
        <ReactionPicker onReact={(emoji) => call.react(emoji)} disabled={status !== "joined"} />
        <ControlButton
          label={unread > 0 ? choose(text.locale, text.chatUnread, unread) : text.chat}
          icon="chat"
          class={chatOpen ? "control--active" : undefined}
          shortcut="C"
          expanded={chatOpen}
          controls={chatOpen ? "chat-panel" : undefined}
          buttonRef={controls.chatButton}
          onClick={() => controls.setChatOpen(!chatOpen)}
        >
          {unread > 0 && (
            <span class="control__badge" aria-hidden="true">
              {unread > 99 ? `${(99).toLocaleString(text.locale)}+` : unread.toLocaleString(text.locale)}
            </span>
          )}
        </ControlButton>
        <ControlButton
          label={text.people}
          icon="people"
          class={peopleOpen ? "control--active" : undefined}
          shortcut="P"
          expanded={peopleOpen}
          controls={peopleOpen ? "people-panel" : undefined}
          buttonRef={peopleButton}
          onClick={onPeople}
        />
        <CopyLinkButton />
        {status === "joined" && (
          <ControlButton
            label={lock ? text.unlockRoom : text.lockRoom}
            icon={lock ? "unlock" : "lock"}
            hasPopup={lock ? undefined : "dialog"}
            onClick={lock ? () => call.unlockRoom() : onLock}
          />
        )}
        <ControlButton label={text.settings} icon="settings" hasPopup="dialog" onClick={onSettings} />
      </div>
      <ControlButton label={text.leaveCall} icon="leave" class="control--leave" text={text.leave} onClick={onLeave} />
    </div>
  );
}
