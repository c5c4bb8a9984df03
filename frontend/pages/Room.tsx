import { useEffect, useState } from "preact/hooks";
import { type CallOptions, type CallState, startCall } from "../call/call";
import { defaultDisplayName } from "../call/display-name";
import { RemoteTile, SelfTile } from "../components/Tile";
import { Left } from "./Left";

/** What the container needs from an engine; tests hand in a fake one built from plain signals. */
export interface CallHandle extends CallState {
  leave(): void;
}

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
  if (call.status.value === "left") return <Left room={room} onRejoin={onRestart} />;
  return <RoomView room={room} call={call} onLeave={() => call.leave()} onRetry={onRestart} />;
}

interface RoomViewProps {
  room: string;
  call: CallState;
  onLeave(): void;
  onRetry(): void;
}

/** The call as it looks now: a pure function of the engine's signals, so it can be tested without WebRTC. */
export function RoomView({ room, call, onLeave, onRetry }: RoomViewProps) {
  const status = call.status.value;
  const peers = call.peers.value;
  const mediaError = call.mediaError.value;

  return (
    <main class="room">
      <header class="room__bar">
        <h1 class="room__name">{room}</h1>
        <p class="room__status" aria-live="polite">
          {describeStatus(status, peers.length)}
        </p>
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

      <section class="grid" aria-label="Participants">
        <SelfTile name={call.selfName.value} stream={call.localStream.value} />
        {peers.map((peer) => (
          <RemoteTile key={peer.id} id={peer.id} name={peer.name} stream={peer.stream} />
        ))}
      </section>

      <footer class="room__controls">
        <button type="button" class="danger" onClick={onLeave}>
          Leave call
        </button>
      </footer>
    </main>
  );
}

function describeStatus(status: CallState["status"]["value"], others: number): string {
  switch (status) {
    case "connecting":
      return "Connecting…";
    case "joined":
      return others === 0
        ? "Waiting for others — share this page's address to invite them."
        : `${others + 1} people in the call`;
    case "error":
      return "Disconnected";
    case "left":
      return "You left";
  }
}
