/**
 * The call as it looks now: a pure function of the engine's signals and of this page's own view
 * state (the open dialog, the pin, the self view), so it can be tested without WebRTC. It lays
 * the room out and wires the parts beside it: header, alerts, stage, control bar and dialogs.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { CallHandle } from "../../call/call";
import { labelFor, labelText } from "../../call/names";
import { LockedPanel } from "../../components/LockedPanel";
import { PersonMenu } from "../../components/PersonControls";
import { SELF, stageOf, togglePin } from "../../components/stage";
import { useCallSounds } from "../../components/use-call-sounds";
import { useHeld } from "../../components/use-held";
import { usePushToTalk } from "../../components/use-push-to-talk";
import { t } from "../../i18n/active";
import { callError, mediaProblem, say } from "../../i18n/problems";
import { routeSounds } from "../../services/sounds";
import { ControlBar } from "./ControlBar";
import { removalDialog, useRoomDialog } from "./dialog-state";
import { EtiquetteNews } from "./EtiquetteNews";
import { useLabels } from "./labels";
import { ChatPanel, ON_DEMAND_PREFETCH_AFTER_MS, PeoplePanel, prefetchOnDemand, RoomDialogs } from "./lazy-parts";
import { MutedHint } from "./MutedHint";
import { RoomAlerts } from "./RoomAlerts";
import type { VerifiedCodes } from "./RoomDialogs";
import { RoomHeader } from "./RoomHeader";
import { Stage } from "./Stage";
import { useControls } from "./use-controls";
import { useLayout } from "./use-layout";
import { usePip } from "./use-pip";
import { useRoomShortcuts } from "./use-room-shortcuts";
import { useSpeakers } from "./use-speakers";
import { LayoutToggle, PipButton } from "./ViewButtons";

interface RoomViewProps {
  room: string;
  call: CallHandle;
  onLeave(): void;
  onRetry(): void;
}

export function RoomView({ room, call, onLeave, onRetry }: RoomViewProps) {
  const status = call.status.value;
  const peers = call.peers.value;
  const mediaError = call.mediaError.value;
  const lock = call.lock.value;
  const outside = status === "outside";
  const inCall = status === "joined" || status === "reconnecting";
  const [dialog, setDialog] = useRoomDialog(lock);
  const [pinned, setPinned] = useState<string | null>(null);
  // Which safety codes the people marked as verified is security state: the engine keeps it, per peer.
  const verified: VerifiedCodes = {
    isVerified: (peer) => peers.find((p) => p.id === peer.id)?.verified === true,
    setVerified: (peer, on) => call.setVerified(peer.id, on),
  };
  const [selfShown, setSelfShown] = useState(true);
  const controls = useControls(call);
  const labels = useLabels(call);

  const media = call.media;
  const audioTrack = media.audioTrack.value;
  const chatOpen = call.chat.open.value;
  // One side panel at a time: chat or people (on a phone either one fills the stage).
  const [peopleOpen, setPeopleOpenState] = useState(false);
  const peopleButton = useRef<HTMLButtonElement>(null);
  const setPeopleOpen = (open: boolean) => {
    if (open && chatOpen) call.setChatOpen(false);
    setPeopleOpenState(open);
    if (!open) peopleButton.current?.focus();
  };
  // The chat opened (by its button, its key, or a message while it was open): the people list gives way.
  useEffect(() => {
    if (chatOpen) setPeopleOpenState(false);
  }, [chatOpen]);
  const speakers = useSpeakers(audioTrack, peers);
  const layout = useLayout(speakers.active, peers);
  // What floats in picture-in-picture: the grid of tiles, not the panels beside it.
  const stageArea = useRef<HTMLDivElement>(null);
  const pip = usePip(() => stageArea.current?.querySelector<HTMLElement>("section.grid") ?? null);
  const muted = !media.micOn.value && audioTrack !== null;
  const talking = media.pushToTalk.value;
  // Held a moment so that it does not flicker between words, but gone at once on unmute or push to talk.
  const mutedHint = useHeld(muted && !talking && speakers.of(SELF).speaking.value, 1_500) && muted && !talking;

  useCallSounds(call);

  const close = () => setDialog(null);
  const text = t();
  // The dialogs and the chat are not needed for the first frame, and fetching them while the call
  // negotiates slowed the join (bench, two people: Join → first frame 410 → 490 ms median): fetch
  // them once the join has settled. Opened sooner, they load at once (lazy-parts.tsx).
  useEffect(() => {
    const timer = setTimeout(() => void prefetchOnDemand(), ON_DEMAND_PREFETCH_AFTER_MS);
    return () => clearTimeout(timer);
  }, []);

  usePushToTalk(inCall && !dialog && audioTrack !== null, call.setPushToTalk);
  useRoomShortcuts({
    call,
    status,
    enabled: inCall && !dialog,
    controls,
    chatOpen,
    peopleOpen,
    setPeopleOpen,
    layout,
    pip,
    showShortcuts: () => setDialog({ kind: "shortcuts" }),
  });

  const stage = stageOf({ pinned, selfShown, peers, mode: layout.mode, speaker: layout.speaker });
  const sinkId = media.choice.value.audiooutput;
  useEffect(() => routeSounds(sinkId), [sinkId]);

  return (
    <main class="room">
      <RoomHeader
        room={room}
        call={call}
        labels={labels}
        selfShown={selfShown}
        onShowSelf={() => setSelfShown(true)}
        viewButtons={
          <>
            <LayoutToggle mode={layout.mode} onChange={layout.setMode} />
            {pip.supported && <PipButton open={pip.open !== null} onToggle={() => void pip.toggle()} />}
          </>
        }
      />

      {pip.problem && (
        <p class="notice" role="status">
          {say(pip.problem)}
        </p>
      )}
      {mediaError && (
        <p class="notice" role="status">
          {mediaProblem(mediaError)}
        </p>
      )}
      {status === "error" && (
        <div class="notice notice--error" role="alert">
          <p>{call.error.value ? callError(call.error.value) : text.callStopped}</p>
          <button type="button" onClick={onRetry}>
            {text.tryAgain}
          </button>
        </div>
      )}

      {outside ? (
        <LockedPanel
          access={call.access.value}
          onSubmitKey={(key) => call.submitKey(key)}
          onKnock={() => call.knock()}
        />
      ) : (
        <>
          <RoomAlerts call={call} labels={labels} notice={controls.notice} />
          <EtiquetteNews call={call} labels={labels} />
          <div ref={stageArea} class={chatOpen || peopleOpen ? "room__stage room__stage--chat" : "room__stage"}>
            <Stage
              call={call}
              labels={labels}
              stage={stage}
              selfShown={selfShown}
              speakers={speakers}
              isVerified={verified.isVerified}
              onPin={(id) => setPinned((current) => togglePin(current, id))}
              onHideSelf={() => setSelfShown(false)}
              onRemove={status === "joined" ? (peer) => setDialog(removalDialog(lock !== null, peer)) : undefined}
              onVerify={(peer) => setDialog({ kind: "safety-code", peer })}
            />
            {chatOpen && (
              <ChatPanel
                messages={call.chat.messages.value}
                labels={labels}
                onSend={(text) => call.sendChat(text)}
                typing={call.chat.typing.value.map((id) =>
                  labelFor(labels, id, peers.find((peer) => peer.id === id)?.name ?? ""),
                )}
                onTyping={call.setTyping}
                onClose={() => controls.setChatOpen(false)}
              />
            )}
            {peopleOpen && !chatOpen && (
              <PeoplePanel
                call={call}
                labels={labels}
                onLowerHand={(id) => call.lowerHand(id)}
                onRemove={status === "joined" ? (peer) => setDialog(removalDialog(lock !== null, peer)) : undefined}
                onClose={() => setPeopleOpen(false)}
                personControls={(peer) => (
                  // The same for-me-only controls as on the person's tile, where a phone's small tiles leave no room.
                  <PersonMenu
                    id={`people-${peer.id}`}
                    name={labelText(labelFor(labels, peer.id, peer.name))}
                    listening={call.listening.value.get(peer.id)}
                    onChange={(change) => call.setListening(peer.id, change)}
                  />
                )}
              />
            )}
            {/* Last in the DOM (the moved grid's old neighbours are in another window), first on screen (CSS order). */}
            {pip.open === "document" && (
              <div class="room__floating">
                <p>{text.callFloating}</p>
                <button type="button" onClick={() => void pip.toggle()}>
                  {text.bringCallBack}
                </button>
              </div>
            )}
          </div>
          <MutedHint mutedHint={mutedHint} talking={talking} />
          <ControlBar
            call={call}
            controls={controls}
            mutedSpeaking={mutedHint}
            onLock={() => setDialog({ kind: "lock" })}
            onSettings={() => setDialog({ kind: "settings" })}
            peopleOpen={peopleOpen && !chatOpen}
            onPeople={() => setPeopleOpen(!peopleOpen)}
            peopleButton={peopleButton}
            onLeave={onLeave}
          />
        </>
      )}

      {dialog && (
        <RoomDialogs
          dialog={dialog}
          call={call}
          labels={labels}
          selfShown={selfShown}
          onSelfShown={setSelfShown}
          onClose={close}
          {...verified}
        />
      )}
    </main>
  );
}
