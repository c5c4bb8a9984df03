/**
 * A test page's side of SFU mode (sfu-room.test.ts): the real browser modules
 * (frontend/call/sfu/sfu-requests.ts and sfu-session.ts) on the room's socket, bundled by Vite
 * (test/helpers/sfu-lab.ts) and run in a blank document at the room's own origin, because the
 * room takes sockets only from its own site's pages. The call engine does not use them yet.
 *
 * Everything the room sends is kept in `roomFrames`; what SfuRequests does not take as a reply
 * waits in `inbox` for the test.
 */
import type { ServerMessage } from "../../../common/protocol";
import { SfuRequests } from "../../../frontend/call/sfu/sfu-requests";
import { SfuSession } from "../../../frontend/call/sfu/sfu-session";

export type LabMessage = { type: string; [field: string]: unknown };
/** A pulled track as the test sees it (the MediaStreamTrack stays in the page). */
export type LabPulled = { from: string; trackName: string; mid: string; kind: string };

const inbox: LabMessage[] = [];
const roomFrames: string[] = [];
const handedOut: LabPulled[] = [];
let session: SfuSession | null = null;

function sfu(): SfuSession {
  if (!session) throw new Error("join first");
  return session;
}

/** Opens the room socket at `path` and joins as `name`; the welcome lands in the inbox. */
async function join(path: string, name: string): Promise<void> {
  const socket = new WebSocket(`${location.origin.replace(/^http/, "ws")}${path}`);
  const requests = new SfuRequests({ send: (message) => socket.send(JSON.stringify(message)) });
  session = new SfuSession({
    requests,
    onTrack: ({ from, trackName, mid, track }) => {
      handedOut.push({ from, trackName, mid, kind: track.kind });
      // A playing <video> pulls frames through the decoder.
      const video = document.createElement("video");
      video.muted = true;
      video.autoplay = true;
      video.srcObject = new MediaStream([track]);
      document.body.append(video);
      void video.play();
    },
  });
  socket.onmessage = ({ data }) => {
    roomFrames.push(String(data));
    if (typeof data !== "string" || !data.startsWith("{")) return;
    const message = JSON.parse(data) as LabMessage;
    if (!requests.receive(message as ServerMessage)) inbox.push(message);
  };
  socket.onclose = () => requests.closed();
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  socket.send(JSON.stringify({ type: "join", name }));
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
  let frames = 0;
  (await sfu().connection.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
    if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded ?? 0;
  });
  return frames;
}

export const lab = {
  join,
  take,
  publishCamera,
  pull,
  close,
  framesDecoded,
  connectionState: () => sfu().connection.connectionState,
  handedOut: () => handedOut,
  roomFrames: () => roomFrames,
};
export type SfuLab = typeof lab;

(window as unknown as { sfuLab: SfuLab }).sfuLab = lab;
