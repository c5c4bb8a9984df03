import { useEffect, useState } from "preact/hooks";
import { type CallControls, type CallOptions, type CallState, type Peer, startCall } from "../call/call";
import { defaultDisplayName } from "../call/display-name";
import { ConfirmRemoveDialog } from "../components/ConfirmRemoveDialog";
import { KnockRequests } from "../components/KnockRequests";
import { LockDialog } from "../components/LockDialog";
import { LockedPanel } from "../components/LockedPanel";
import { RemoteTile, SelfTile } from "../components/Tile";
import { Left } from "./Left";
import { Removed } from "./Removed";

/** What the container needs from an engine; tests hand in a fake one built from plain signals. */
export type CallHandle = CallState & CallControls;

type StartCall = (options: CallOptions) => CallHandle;

interface RoomProps {
  room: string;
  /** Must be a stable function (not a fresh arrow per render); defaults to the real engine. */
  startCall?: StartCall;
}

export function Room({ room, startCall: start = startCall }: RoomProps) {
  // "Rejoin" and "Try again" bump the attempt: a new key is a new session, with fresh media and a fresh socket.
  const [attempt, setAttempt] = useState(0);
  const restart = () => setAttempt((n) => n + 1);

  useEffect(() => {
    document.title = `${room} · natter`;
    return () => {
      document.title = "natter";
    };
  }, [room]);

  return <CallSession key={`${room}#${attempt}`} room={room} start={start} onRestart={restart} />;
}

/**
 * Owns one engine's lifetime: started on mount and left on unmount, so leaving the page in any
 * way (back button, link home, another room) always hangs up and releases the camera.
 */
function CallSession({ room, start, onRestart }: { room: string; start: StartCall; onRestart(): void }) {
  const [call, setCall] = useState<CallHandle | null>(null);

  useEffect(() => {
    const session = start({ room, name: defaultDisplayName() });
    setCall(session);
    return () => session.leave();
  }, [room, start]);

  if (!call) return null;
  switch (call.status.value) {
    case "left":
      return <Left room={room} onRejoin={onRestart} />;
    case "removed":
      return <Removed room={room} by={call.removedBy.value} />;
    default:
      return <RoomView room={room} call={call} onLeave={() => call.leave()} onRetry={onRestart} />;
  }
}

interface RoomViewProps {
  room: string;
  call: CallHandle;
  onLeave(): void;
  onRetry(): void;
}

/** Which dialog is open: locking, locking so that someone can be removed for good, or confirming a removal. */
type Dialog = { kind: "lock" } | { kind: "lock-then-remove"; peer: Peer } | { kind: "confirm-remove"; peer: Peer };

/** The call as it looks now: a pure function of the engine's signals, so it can be tested without WebRTC. */
export function RoomView({ room, call, onLeave, onRetry }: RoomViewProps) {
  const status = call.status.value;
  const peers = call.peers.value;
  const mediaError = call.mediaError.value;
  const lock = call.lock.value;
  const outside = status === "outside";
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

  const close = () => setDialog(null);
  // Removing someone from an unlocked room only works until they open the link again.
  const startRemoving = (peer: Peer) => setDialog({ kind: lock ? "confirm-remove" : "lock-then-remove", peer });

  return (
    <main class="room">
      <header class="room__bar">
        <h1 class="room__name">{room}</h1>
        <p class="room__status" aria-live="polite">
          {describeStatus(status, peers.length)}
        </p>
        {lock && !outside && <p class="badge">Locked by {lock.by}</p>}
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
            <RoomNews call={call} />
            <KnockRequests knocks={call.knocks.value} onAdmit={(id) => call.admit(id)} onDeny={(id) => call.deny(id)} />
          </div>
          <section class="grid" aria-label="Participants">
            <SelfTile name={call.selfName.value} stream={call.localStream.value} />
            {peers.map((peer) => (
              <RemoteTile
                key={peer.id}
                id={peer.id}
                name={peer.name}
                stream={peer.stream}
                onRemove={status === "joined" ? () => startRemoving(peer) : undefined}
              />
            ))}
          </section>
          <footer class="room__controls">
            {status === "joined" && (
              <button
                type="button"
                onClick={lock ? () => call.unlockRoom() : () => setDialog({ kind: "lock" })}
                aria-haspopup={lock ? undefined : "dialog"}
              >
                {lock ? "Unlock room" : "Lock room"}
              </button>
            )}
            <button type="button" class="danger" onClick={onLeave}>
              Leave call
            </button>
          </footer>
        </>
      )}

      {dialog?.kind === "lock" && <LockDialog onLock={(key) => call.lockRoom(key)} onClose={close} />}
      {dialog?.kind === "lock-then-remove" && (
        <LockDialog
          removing={dialog.peer}
          onLock={(key) => call.lockRoom(key, { thenRemove: dialog.peer.id })}
          onClose={close}
        />
      )}
      {dialog?.kind === "confirm-remove" && (
        <ConfirmRemoveDialog name={dialog.peer.name} onRemove={() => call.removePeer(dialog.peer.id)} onClose={close} />
      )}
    </main>
  );
}

/** What happened to the room that members should hear about: locks, and someone guessing the key. */
function RoomNews({ call }: { call: CallState }) {
  const news = call.lockNews.value;
  const warning = call.guessWarning.value;
  // Both always in the DOM: screen readers announce changes to a live region that already exists.
  return (
    <>
      <div class="room__news" role="status">
        {warning && <p class="notice">Someone tried a wrong key for this room.</p>}
      </div>
      {/* The badge shows the lock; this says it out loud when it changes, and who unlocked. */}
      <p class="visually-hidden" aria-live="polite">
        {news && `${news.by} ${news.locked ? "locked" : "unlocked"} the room.`}
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
    case "error":
      return "Disconnected";
    case "removed":
      return "Removed from the call";
    case "left":
      return "You left";
  }
}
