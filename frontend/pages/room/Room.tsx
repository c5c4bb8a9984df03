/**
 * The room page: one session per visit. A session owns the visit's media and call (the camera
 * starts and the room's socket opens as the hair check appears) and picks which page the call's
 * status asks for: the hair check, the call itself, "you left" (or the operator's LEAVE_URL) or
 * "you were removed".
 */
import { useEffect, useState } from "preact/hooks";
import { Call, type CallHandle, type CallOptions } from "../../call/call";
import { defaultDisplayName, rememberDisplayName } from "../../call/display-name";
import { LocalMedia } from "../../call/media/local-media";
import type { LocalMediaHandle } from "../../call/media/local-media-handle";
import { leaveUrl } from "../../services/leave-url";
import { HairCheck } from "../HairCheck";
import { Left } from "../Left";
import { Removed } from "../Removed";
import { RoomView } from "./RoomView";
import "../../styles/controls.css";
import "../../styles/notice.css";
import "./Room.css";

/** Where a room page gets its media and its call; tests hand in fakes. */
export interface RoomEngine {
  createMedia(): LocalMediaHandle;
  /** A call whose socket is opening, not yet joined (the hair check joins it). */
  connect(options: CallOptions): CallHandle;
  /** Where to go after leaving (the operator's LEAVE_URL), or null for natter's own Left page. */
  leaveUrl?(): Promise<string | null>;
  /** Goes to that page (the browser's location; tests record it). */
  goTo?(url: string): void;
}

export const browserEngine: RoomEngine = {
  createMedia: () => new LocalMedia(),
  connect: (options) => {
    const call = new Call(options);
    call.connect();
    return call;
  },
  leaveUrl: () => leaveUrl(),
  goTo: (url) => window.location.assign(url),
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
  const [afterLeaving, setAfterLeaving] = useState<string | null>(null);

  // Asked now, so that "Leave call" goes straight there.
  useEffect(() => {
    let current = true;
    void engine.leaveUrl?.().then((url) => current && setAfterLeaving(url));
    return () => {
      current = false;
    };
  }, [engine]);

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

  // Left, with a leave page set: go there (natter's own Left page shows meanwhile, and stays if it cannot).
  const left = session?.call.status.value === "left";
  useEffect(() => {
    if (left && afterLeaving !== null) engine.goTo?.(afterLeaving);
  }, [left, afterLeaving, engine]);

  if (!session) return null;
  const { media, call } = session;
  const status = call.status.value;
  if (status === "left") return <Left room={room} onRejoin={onRestart} />;
  if (status === "removed") return <Removed room={room} by={call.removedBy.value} />;
  // The hair check stays up until the room answers the join, so a locked door never flashes the grid first.
  if (!joining || status === "connecting") {
    const join = (name: string) => {
      // The join goes out first: everything else here can wait a moment, the room's answer cannot.
      call.join(name);
      rememberDisplayName(name);
      setJoining(true);
    };
    return <HairCheck room={room} media={media} call={call} joining={joining} onJoin={join} onRetry={onRestart} />;
  }
  return <RoomView room={room} call={call} onLeave={() => call.leave()} onRetry={onRestart} />;
}
