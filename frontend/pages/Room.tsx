import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { Call, type CallHandle, type CallOptions, type CallState, type Peer } from "../call/call";
import type { ChatEntry } from "../call/chat-log";
import { defaultDisplayName, rememberDisplayName } from "../call/display-name";
import { LocalMedia, type LocalMediaHandle } from "../call/media/local-media";
import { labelFor, labelPeople, type Named, type NameLabel } from "../call/names";
import { ChatPanel } from "../components/ChatPanel";
import { ConfirmRemoveDialog } from "../components/ConfirmRemoveDialog";
import { CopyLinkButton } from "../components/CopyLinkButton";
import { KnockRequests } from "../components/KnockRequests";
import { LockDialog } from "../components/LockDialog";
import { LockedPanel } from "../components/LockedPanel";
import { CameraButton, ControlButton, MicButton } from "../components/MediaButtons";
import { PersonName } from "../components/PersonName";
import { SafetyCodeDialog } from "../components/SafetyCodeDialog";
import { SettingsDialog } from "../components/SettingsDialog";
import { ShortcutsDialog } from "../components/ShortcutList";
import { RemoteTile, SelfTile } from "../components/Tile";
import { TileGrid } from "../components/TileGrid";
import { useAudioLevels, useLevelMeter } from "../components/use-audio-levels";
import { useCallSounds } from "../components/use-call-sounds";
import { useShortcuts } from "../components/use-shortcuts";
import type { ShortcutAction } from "../services/shortcuts";
import { routeSounds } from "../services/sounds";
import { HairCheck } from "./HairCheck";
import { Left } from "./Left";
import { Removed } from "./Removed";

/** Where a room page gets its media and its call; tests hand in fakes. */
export interface RoomEngine {
  createMedia(): LocalMediaHandle;
  /** A call whose socket is opening, not yet joined (the hair check joins it). */
  connect(options: CallOptions): CallHandle;
}

export const browserEngine: RoomEngine = {
  createMedia: () => new LocalMedia(),
  connect: (options) => {
    const call = new Call(options);
    call.connect();
    return call;
  },
};

interface RoomProps {
  room: string;
  /** Must be stable (not a fresh object per render); defaults to the browser's camera and a real call. */
  engine?: RoomEngine;
}

export function Room({ room, engine = browserEngine }: RoomProps) {
  // "Rejoin" and "Try again" bump the attempt: a new key is a new session, with fresh media and a fresh socket.
  const [attempt, setAttempt] = useState(0);
  const restart = () => setAttempt((n) => n + 1);

  useEffect(() => {
    document.title = `${room} · natter`;
    return () => {
      document.title = "natter";
    };
  }, [room]);

  return <CallSession key={`${room}#${attempt}`} room={room} engine={engine} onRestart={restart} />;
}

interface Session {
  media: LocalMediaHandle;
  call: CallHandle;
}

/**
 * Owns one visit's media and call: the camera starts and the room's socket opens as the hair check
 * appears; both end on unmount, so leaving the page in any way (back button, link home, another
 * room) always hangs up and releases the camera.
 */
function CallSession({ room, engine, onRestart }: { room: string; engine: RoomEngine; onRestart(): void }) {
  const [session, setSession] = useState<Session | null>(null);
  const [joining, setJoining] = useState(false);

  useEffect(() => {
    const media = engine.createMedia();
    void media.start();
    const call = engine.connect({ room, name: defaultDisplayName(), media });
    setSession({ media, call });
    return () => {
      call.leave();
      media.stop();
    };
  }, [room, engine]);

  if (!session) return null;
  const { media, call } = session;
  const status = call.status.value;
  if (status === "left") return <Left room={room} onRejoin={onRestart} />;
  if (status === "removed") return <Removed room={room} by={call.removedBy.value} />;
  // The hair check stays up until the room answers the join, so a locked door never flashes the grid first.
  if (!joining || status === "connecting") {
    const join = (name: string) => {
      rememberDisplayName(name);
      setJoining(true);
      call.join(name);
    };
    return <HairCheck room={room} media={media} call={call} joining={joining} onJoin={join} onRetry={onRestart} />;
  }
  return <RoomView room={room} call={call} onLeave={() => call.leave()} onRetry={onRestart} />;
}

interface RoomViewProps {
  room: string;
  call: CallHandle;
  onLeave(): void;
  onRetry(): void;
}

/** Which dialog is open: locking, locking so that someone can be removed for good, confirming a removal, or the call's settings. */
type Dialog =
  | { kind: "lock" }
  | { kind: "lock-then-remove"; peer: Peer }
  | { kind: "confirm-remove"; peer: Peer }
  | { kind: "settings" }
  | { kind: "shortcuts" }
  | { kind: "safety-code"; peer: Peer };

/** Our own key in the pin and audio-level maps (peer ids are 32 hex digits, so it cannot collide). */
const SELF = "self";

/** The call as it looks now: a pure function of the engine's signals, so it can be tested without WebRTC. */
export function RoomView({ room, call, onLeave, onRetry }: RoomViewProps) {
  const status = call.status.value;
  const peers = call.peers.value;
  const mediaError = call.mediaError.value;
  const lock = call.lock.value;
  const outside = status === "outside";
  const inCall = status === "joined" || status === "reconnecting";
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [pinned, setPinned] = useState<string | null>(null);
  /** Whether the people marked the peer's current safety code as verified: the engine keeps it (verification.ts). */
  const isVerified = (peer: Peer) => peers.find((p) => p.id === peer.id)?.verified === true;
  const [selfShown, setSelfShown] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  const chatButton = useRef<HTMLButtonElement>(null);

  const media = call.media;
  const micOn = media.micOn.value;
  const cameraOn = media.cameraOn.value;
  const audioTrack = media.audioTrack.value;
  const hasAudio = audioTrack !== null;
  const hasVideo = media.videoTrack.value !== null;
  const screenStream = call.screenStream.value;
  const sharing = screenStream !== null;
  const chatOpen = call.chat.open.value;
  const unread = call.chat.unread.value;
  const chatMessages = call.chat.messages.value;
  const knocks = call.knocks.value;
  const selfId = call.selfId.value;
  const selfName = call.selfName.value;
  const lockNews = call.lockNews.value;
  const labels = useMemo(
    () => labelPeople(castOf({ selfId, selfName, peers, knocks, lock, lockNews, chat: chatMessages })),
    [selfId, selfName, peers, knocks, lock, lockNews, chatMessages],
  );
  const labelOf = (id: string | null, name: string) => labelFor(labels, id, name);

  const levels = useAudioLevels();
  // A clone of our microphone stays measurable while muted: that is how "You are muted" knows we speak.
  useLevelMeter(levels, SELF, audioTrack, true);
  const watched = useRef(new Set<string>());
  useEffect(() => {
    const now = new Set(peers.map((peer) => peer.id));
    for (const peer of peers) levels.watch(peer.id, peer.stream?.getAudioTracks()[0] ?? null);
    for (const id of watched.current) if (!now.has(id)) levels.forget(id);
    watched.current = now;
  }, [levels, peers]);
  const speaking = levels.speaking.value;
  const active = levels.active.value;
  const mutedHint = useHeld(!micOn && hasAudio && speaking.has(SELF), 2_500);

  useCallSounds(call);

  useEffect(() => {
    // Locked by someone else meanwhile: locking again would replace their key with ours.
    if (!lock) return;
    setDialog((open) => {
      if (open?.kind === "lock") return null;
      if (open?.kind === "lock-then-remove") return { kind: "confirm-remove", peer: open.peer };
      return open;
    });
  }, [lock]);

  const close = () => setDialog(null);
  // Removing someone from an unlocked room only works until they open the link again.
  const startRemoving = (peer: Peer) => setDialog({ kind: lock ? "confirm-remove" : "lock-then-remove", peer });
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
  const togglePin = (id: string) => setPinned((current) => (current === id ? null : id));

  useShortcuts((action: ShortcutAction) => {
    if (!inCall || dialog) return;
    if (action === "microphone") toggleMic();
    else if (action === "camera") toggleCamera();
    else if (action === "screen" && call.canShareScreen) void toggleScreen();
    else if (action === "chat") setChatOpen(!chatOpen);
    else if (action === "help") setDialog({ kind: "shortcuts" });
  });

  // A pinned person who left unpins; someone presenting takes the stage unless someone is pinned.
  const pinnedNow = pinned === SELF ? (selfShown ? SELF : null) : peers.some((p) => p.id === pinned) ? pinned : null;
  const spotlight = pinnedNow ?? peers.find((peer) => peer.screen)?.id ?? null;
  const tileCount = peers.length + (selfShown ? 1 : 0);
  const sinkId = media.choice.value.audiooutput;
  useEffect(() => routeSounds(sinkId), [sinkId]);

  return (
    <main class="room">
      <header class="room__bar">
        <h1 class="room__name">{room}</h1>
        <p class="room__status" aria-live="polite">
          {describeStatus(status, peers.length)}
        </p>
        {lock && !outside && (
          <p class="badge">
            Locked by{" "}
            {lock.byId !== null && lock.byId === selfId ? "you" : <PersonName label={labelOf(lock.byId, lock.by)} />}
          </p>
        )}
        {!selfShown && !outside && (
          <button type="button" class="link-button" onClick={() => setSelfShown(true)}>
            Show self view
          </button>
        )}
      </header>

      {mediaError && (
        <p class="notice" role="status">
          {mediaError}
        </p>
      )}
      {status === "error" && (
        <div class="notice notice--error" role="alert">
          <p>{call.error.value ?? "The call stopped."}</p>
          <button type="button" onClick={onRetry}>
            Try again
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
          <div class="room__alerts">
            <RoomNews call={call} labels={labels} />
            <KnockRequests
              knocks={knocks}
              labels={labels}
              onAdmit={(id) => call.admit(id)}
              onDeny={(id) => call.deny(id)}
            />
            <div class="room__news" role="status">
              {notice && <p class="notice">{notice}</p>}
            </div>
          </div>
          <div class={chatOpen ? "room__stage room__stage--chat" : "room__stage"}>
            <TileGrid count={tileCount} spotlight={spotlight !== null && tileCount > 1}>
              {selfShown && (
                <SelfTile
                  name={selfName}
                  label={labelOf(selfId ?? SELF, selfName)}
                  stream={screenStream ?? call.localStream.value}
                  audio={micOn && hasAudio}
                  video={sharing || (cameraOn && hasVideo)}
                  screen={sharing}
                  speaking={micOn && speaking.has(SELF)}
                  active={micOn && active === SELF}
                  pinned={pinnedNow === SELF}
                  spotlight={spotlight === SELF}
                  onPin={() => togglePin(SELF)}
                  onHide={() => setSelfShown(false)}
                />
              )}
              {peers.map((peer) => (
                <RemoteTile
                  key={peer.id}
                  id={peer.id}
                  name={peer.name}
                  label={labelOf(peer.id, peer.name)}
                  stream={peer.stream}
                  quality={peer.quality}
                  audio={peer.audio}
                  video={peer.video}
                  screen={peer.screen}
                  speaking={speaking.has(peer.id)}
                  active={active === peer.id}
                  pinned={pinnedNow === peer.id}
                  spotlight={spotlight === peer.id}
                  sinkId={sinkId}
                  onPin={() => togglePin(peer.id)}
                  onRemove={status === "joined" ? () => startRemoving(peer) : undefined}
                  onVerify={() => setDialog({ kind: "safety-code", peer })}
                  verified={isVerified(peer)}
                />
              ))}
            </TileGrid>
            {chatOpen && (
              <ChatPanel
                messages={chatMessages}
                labels={labels}
                onSend={(text) => call.sendChat(text)}
                onClose={() => setChatOpen(false)}
              />
            )}
          </div>
          <p class={mutedHint ? "muted-hint muted-hint--shown" : "muted-hint"} role="status">
            {mutedHint && "You are muted"}
          </p>
          <div class="room__controls">
            <div class="room__controls-main">
              <MicButton on={micOn} available={hasAudio} onToggle={toggleMic} shortcut="M" />
              <CameraButton on={cameraOn} available={hasVideo} onToggle={toggleCamera} shortcut="V" />
              {call.canShareScreen && (
                <ControlButton
                  label={sharing ? "Stop sharing" : "Share screen"}
                  icon={sharing ? "screen-off" : "screen"}
                  class={sharing ? "control--active" : undefined}
                  shortcut="D"
                  disabled={!inCall}
                  onClick={() => void toggleScreen()}
                />
              )}
              <ControlButton
                label={unread > 0 ? `Chat, ${unread} unread` : "Chat"}
                icon="chat"
                class={chatOpen ? "control--active" : undefined}
                shortcut="C"
                expanded={chatOpen}
                controls={chatOpen ? "chat-panel" : undefined}
                buttonRef={chatButton}
                onClick={() => setChatOpen(!chatOpen)}
              >
                {unread > 0 && (
                  <span class="control__badge" aria-hidden="true">
                    {unread > 99 ? "99+" : unread}
                  </span>
                )}
              </ControlButton>
              <CopyLinkButton />
              {status === "joined" && (
                <ControlButton
                  label={lock ? "Unlock room" : "Lock room"}
                  icon={lock ? "unlock" : "lock"}
                  hasPopup={lock ? undefined : "dialog"}
                  onClick={lock ? () => call.unlockRoom() : () => setDialog({ kind: "lock" })}
                />
              )}
              <ControlButton
                label="Settings"
                icon="settings"
                hasPopup="dialog"
                onClick={() => setDialog({ kind: "settings" })}
              />
            </div>
            <ControlButton label="Leave call" icon="leave" class="control--leave" text="Leave" onClick={onLeave} />
          </div>
        </>
      )}

      {dialog?.kind === "lock" && <LockDialog onLock={(key) => call.lockRoom(key)} onClose={close} />}
      {dialog?.kind === "lock-then-remove" && (
        <LockDialog
          removing={labelOf(dialog.peer.id, dialog.peer.name)}
          onLock={(key) => call.lockRoom(key, { thenRemove: dialog.peer.id })}
          onClose={close}
        />
      )}
      {dialog?.kind === "confirm-remove" && (
        <ConfirmRemoveDialog
          label={labelOf(dialog.peer.id, dialog.peer.name)}
          onRemove={() => call.removePeer(dialog.peer.id)}
          onClose={close}
        />
      )}
      {dialog?.kind === "settings" && (
        <SettingsDialog call={call} selfViewShown={selfShown} onSelfViewShown={setSelfShown} onClose={close} />
      )}
      {dialog?.kind === "shortcuts" && <ShortcutsDialog onClose={close} />}
      {dialog?.kind === "safety-code" && (
        <SafetyCodeDialog
          label={labelOf(dialog.peer.id, dialog.peer.name)}
          code={dialog.peer.safetyCode}
          verified={isVerified(dialog.peer)}
          onVerifiedChange={(verified) => call.setVerified(dialog.peer.id, verified)}
          onClose={close}
        />
      )}
    </main>
  );
}

/** `on`, held for `holdMs` after it turns off: a hint that flickers with every pause between words is noise. */
function useHeld(on: boolean, holdMs: number): boolean {
  const [held, setHeld] = useState(on);
  useEffect(() => {
    if (on) {
      setHeld(true);
      return;
    }
    const timer = setTimeout(() => setHeld(false), holdMs);
    return () => clearTimeout(timer);
  }, [on, holdMs]);
  return on || held;
}

/**
 * Everyone a view may name, present first (their current names win): ourselves, the people in the
 * call, people knocking, whoever locked, and past chat senders, so that a label means the same
 * person in the tiles, the badge and the log.
 */
function castOf(facts: {
  selfId: string | null;
  selfName: string;
  peers: readonly Named[];
  knocks: readonly Named[];
  lock: { by: string; byId: string | null } | null;
  lockNews: { by: string; byId: string } | null;
  chat: readonly ChatEntry[];
}): Named[] {
  const cast: Named[] = [{ id: facts.selfId ?? SELF, name: facts.selfName }, ...facts.peers, ...facts.knocks];
  if (facts.lock?.byId) cast.push({ id: facts.lock.byId, name: facts.lock.by });
  if (facts.lockNews) cast.push({ id: facts.lockNews.byId, name: facts.lockNews.by });
  for (let i = facts.chat.length - 1; i >= 0; i--) {
    const entry = facts.chat[i];
    if (entry?.from) cast.push({ id: entry.from, name: entry.name });
  }
  return cast;
}

/** What happened to the room that members should hear about: locks, and someone guessing the key. */
function RoomNews({ call, labels }: { call: CallState; labels: ReadonlyMap<string, NameLabel> }) {
  const news = call.lockNews.value;
  const verb = news?.locked ? "locked" : "unlocked";
  const warning = call.guessWarning.value;
  const notice = call.roomNotice.value;
  // Both always in the DOM: screen readers announce changes to a live region that already exists.
  return (
    <>
      <div class="room__news" role="status">
        {warning && <p class="notice">Someone tried a wrong key for this room.</p>}
        {notice && <p class="notice">{notice}</p>}
      </div>
      {/* The badge shows the lock; this says it out loud when it changes, and who unlocked. */}
      <p class="visually-hidden" aria-live="polite">
        {news &&
          (news.byId === call.selfId.value ? (
            `You ${verb} the room.`
          ) : (
            <>
              <PersonName label={labelFor(labels, news.byId, news.by)} /> {verb} the room.
            </>
          ))}
      </p>
    </>
  );
}

function describeStatus(status: CallState["status"]["value"], others: number): string {
  switch (status) {
    case "connecting":
      return "Connecting…";
    case "outside":
      return "Locked";
    case "joined":
      return others === 0
        ? "Waiting for others — share this page's address to invite them."
        : `${others + 1} people in the call`;
    case "reconnecting":
      return "Reconnecting…";
    case "error":
      return "Disconnected";
    case "removed":
      return "Removed from the call";
    case "left":
      return "You left";
  }
}
