/**
 * A test page's side of SFU mode (sfu-room.test.ts): the real browser modules
 * (frontend/call/sfu/sfu-requests.ts and sfu-session.ts) on the room's socket, bundled by Vite
 * (test/helpers/sfu-lab.ts) and run in a blank document at the room's own origin, because the
 * room takes sockets only from its own site's pages. The call engine does not use them yet.
 *
 * Everything the room sends is kept in `roomFrames`; what SfuRequests does not take as a reply
 * (nor the `onMessage` of join's options) waits in `inbox` for the test. End-to-end encryption
 * comes in through join's options (secure.ts), so this module imports no e2ee code and still
 * bundles as the one classic script sfu-room.test.ts injects.
 */
import { HEARTBEAT_INTERVAL_MS, PING } from "../../../common/heartbeat";
import type { ClientMessage, ServerMessage } from "../../../common/protocol";
import { SfuRequests } from "../../../frontend/call/sfu/sfu-requests";
import { type SfuProtection, SfuSession } from "../../../frontend/call/sfu/sfu-session";
import { picture } from "../e2ee-lab/picture";

export type LabMessage = { type: string; [field: string]: unknown };
/** A pulled track as the test sees it (the MediaStreamTrack stays in the page). */
export type LabPulled = { from: string; trackName: string; mid: string; kind: string };

const inbox: LabMessage[] = [];
const roomFrames: string[] = [];
const handedOut: LabPulled[] = [];
let session: SfuSession | null = null;
let socket: WebSocket | null = null;
/** The first pulled video, as played. */
let video: HTMLVideoElement | undefined;

export interface JoinOptions {
  /** The transforms for every sender and receiver (SfuSecurity). */
  protect?: SfuProtection;
  /** Sees every room message first; true keeps it out of the inbox. */
  onMessage?(message: LabMessage): boolean;
}

function sfu(): SfuSession {
  if (!session) throw new Error("join first");
  return session;
}

/** Opens the room socket at `path` and joins as `name`; the welcome lands in the inbox. */
async function join(path: string, name: string, options: JoinOptions = {}): Promise<void> {
  const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}${path}`);
  socket = ws;
  const requests = new SfuRequests({ send: (message) => ws.send(JSON.stringify(message)) });
  session = new SfuSession({
    requests,
    ...(options.protect && { protect: options.protect }),
    onTrack: ({ from, trackName, mid, track }) => {
      handedOut.push({ from, trackName, mid, kind: track.kind });
      // A playing <video> pulls frames through the decoder.
      const element = document.createElement("video");
      element.muted = true;
      element.autoplay = true;
      element.srcObject = new MediaStream([track]);
      document.body.append(element);
      void element.play();
      if (track.kind === "video") video ??= element;
    },
  });
  ws.onmessage = ({ data }) => {
    roomFrames.push(String(data));
    if (typeof data !== "string" || !data.startsWith("{")) return;
    const message = JSON.parse(data) as LabMessage;
    if (options.onMessage?.(message)) return;
    if (!requests.receive(message as ServerMessage)) inbox.push(message);
  };
  ws.onclose = () => requests.closed();
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  ws.send(JSON.stringify({ type: "join", name }));
  // The room drops a member silent for HEARTBEAT_TIMEOUT_MS: on a loaded CI machine a test can outlast that.
  const heartbeat = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.send(PING);
    else if (ws.readyState === WebSocket.CLOSED) clearInterval(heartbeat);
  }, HEARTBEAT_INTERVAL_MS);
}

/** Sends one message to the room (the e2ee signals of secure.ts). */
function send(message: ClientMessage): void {
  socket?.send(JSON.stringify(message));
}

/** The next message of `type` the room sent that was not an SFU reply, taken out of the inbox. */
function take(type: string): LabMessage | null {
  const at = inbox.findIndex((m) => m.type === type);
  return at < 0 ? null : (inbox.splice(at, 1)[0] ?? null);
}

/** Publishes a small camera as `trackName`. */
async function publishCamera(trackName: string): Promise<{ mid: string; trackName: string }[]> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
  return sfu().publish([{ track: stream.getVideoTracks()[0]!, trackName }]);
}

async function pull(from: string, trackNames: string[]): Promise<LabPulled[]> {
  const handed = await sfu().pull(from, trackNames);
  return handed.map(({ from, trackName, mid, track }) => ({ from, trackName, mid, kind: track.kind }));
}

async function close(mids: string[]): Promise<string[]> {
  return sfu().close(mids);
}

/** Video frames the session's connection has decoded so far. */
async function framesDecoded(): Promise<number> {
  return (await videoIn()).framesDecoded;
}

/** Video frames the session's connection has received (whole frames out of RTP) and decoded so far. */
async function videoIn(): Promise<{ framesReceived: number; framesDecoded: number }> {
  const counts = { framesReceived: 0, framesDecoded: 0 };
  type Inbound = { type: string; kind?: string; framesDecoded?: number; framesReceived?: number };
  (await sfu().connection.getStats()).forEach((s: Inbound) => {
    if (s.type !== "inbound-rtp" || s.kind !== "video") return;
    counts.framesDecoded += s.framesDecoded ?? 0;
    counts.framesReceived += s.framesReceived ?? 0;
  });
  return counts;
}

export const lab = {
  join,
  take,
  publishCamera,
  pull,
  close,
  framesDecoded,
  videoIn,
  send,
  /** What the first pulled video shows (null before any picture). */
  picture: () => picture(video),
  connectionState: () => sfu().connection.connectionState,
  handedOut: () => handedOut,
  roomFrames: () => roomFrames,
};
export type SfuLab = typeof lab;

(window as unknown as { sfuLab: SfuLab }).sfuLab = lab;
