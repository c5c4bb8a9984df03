/**
 * A real Call (frontend/call/call.ts) in a room the test plays: every socket the call opens is a
 * FakeSocket the test can open, feed and drop. One set-up for every engine test that needs a call
 * in a room, instead of one per file.
 */
import { PING, PONG } from "../../common/heartbeat";
import type { CallMode, IceConfig, LockInfo, PeerInfo, ServerMessage } from "../../common/protocol";
import { Call, type CallOptions } from "../../frontend/call/call";
import { FakeSocket } from "./fake-socket";

export const SELF = "5".repeat(32);
export const ADA = "1".repeat(32);
export const BOB = "9".repeat(32);
export const ROOM_URL = "ws://example.test/api/rooms/team-sync/ws";

/** Lets the engine finish what it awaits (media) after a message, with real timers. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The room's welcome; each test file picks the ICE servers its assertions talk about. */
export function welcome(
  peers: PeerInfo[] = [],
  {
    id = SELF,
    lock = null,
    ice = { iceServers: [], iceTransportPolicy: "all", expiresAt: null },
    token = "token",
    mode,
  }: { id?: string; lock?: LockInfo | null; ice?: IceConfig; token?: string; mode?: CallMode } = {},
): ServerMessage {
  return { type: "welcome", id, peers, lock, ice, resumeToken: token, ...(mode && { mode }) };
}

/** The room's socket, answering heartbeats as the runtime does, so that long waits keep it alive. */
export class RoomSocket extends FakeSocket {
  override send(data: string): void {
    super.send(data);
    if (data === PING) queueMicrotask(() => this.readyState === 1 && this.receive(PONG));
  }
}

export interface RoomCallSetup {
  /** The socket class the room answers with (RoomSocket to keep heartbeats alive). */
  socket?: typeof FakeSocket;
  /** How `receive` lets the engine catch up: real timers by default, `vi.advanceTimersByTimeAsync(0)` with fake ones. */
  settle?: () => Promise<unknown>;
}

/** A call to room "team-sync" as "Cy"; `options` override any of the call's options. Nothing is opened yet. */
export function roomCall(options: Partial<CallOptions> = {}, setup: RoomCallSetup = {}) {
  const Socket = setup.socket ?? FakeSocket;
  const catchUp = setup.settle ?? settle;
  const sockets: FakeSocket[] = [];
  const call = new Call({
    room: "team-sync",
    name: "Cy",
    url: ROOM_URL,
    signaling: {
      createSocket: (url) => {
        const socket = new Socket(url);
        sockets.push(socket);
        return socket;
      },
    },
    ...options,
  });
  /** The socket the call uses now (the latest it opened). */
  const socket = () => {
    const latest = sockets.at(-1);
    if (!latest) throw new Error("the call has not opened a socket yet");
    return latest;
  };
  /** The room says `message` on the current socket; resolves once the engine has caught up. */
  const receive = async (message: ServerMessage | string) => {
    socket().receive(message);
    await catchUp();
  };
  return { call, sockets, socket, receive };
}
