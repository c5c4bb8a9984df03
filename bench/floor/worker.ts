/**
 * The floor the bench compares natter against: a Worker with a bare relay Durable Object and one
 * inline page that makes the smallest possible call (getUserMedia, one RTCPeerConnection per other
 * person, offer/answer/candidates over the relay). Whatever natter takes beyond this is natter's overhead.
 *
 * Written against a few local declarations instead of @cloudflare/workers-types because the bench
 * is typechecked as Node tooling (tsconfig.node.json), where the Workers globals do not exist.
 */

interface RelayState {
  acceptWebSocket(ws: WebSocket, tags?: string[]): void;
  getWebSockets(tag?: string): WebSocket[];
}

interface RelayStub {
  fetch(request: Request): Promise<Response>;
}

interface Env {
  RELAY: { idFromName(name: string): unknown; get(id: unknown): RelayStub };
}

declare const WebSocketPair: new () => { 0: WebSocket; 1: WebSocket };

/**
 * Forwards strings, nothing else: no schema, no membership, no storage, no flood control.
 * A message "@<peer> …" goes only to the socket tagged <peer> (the signaling bench needs
 * one-to-one delivery, as natter's signals are, or the floor would pay for fan-out natter never
 * does, and the floor page's full mesh signals each connection one-to-one); anything else goes to
 * every other socket in the room (the page's hello).
 */
export class Relay {
  readonly #state: RelayState;

  constructor(state: RelayState) {
    this.#state = state;
  }

  async fetch(request: Request): Promise<Response> {
    const peer = new URL(request.url).searchParams.get("peer");
    const { 0: client, 1: server } = new WebSocketPair();
    // Hibernatable, like natter's Room, so the comparison is between relays on the same runtime path.
    this.#state.acceptWebSocket(server, peer ? [peer] : []);
    return new Response(null, { status: 101, webSocket: client } as ResponseInit);
  }

  webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (typeof message === "string" && message.startsWith("@")) {
      const to = message.slice(1, message.indexOf(" "));
      for (const socket of this.#state.getWebSockets(to)) socket.send(message);
      return;
    }
    for (const socket of this.#state.getWebSockets()) if (socket !== ws) socket.send(message);
  }

  webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const relay = /^\/relay\/([a-z0-9-]{1,64})$/.exec(url.pathname);
    if (relay?.[1] && request.headers.get("Upgrade")?.toLowerCase() === "websocket") {
      return env.RELAY.get(env.RELAY.idFromName(relay[1])).fetch(request);
    }
    if (/^\/call\/[a-z0-9-]{1,64}$/.test(url.pathname)) {
      return new Response(PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
    }
    return new Response("not found", { status: 404 });
  },
};

/**
 * The minimal call, as a full mesh: one RTCPeerConnection per other person. Each page picks a random
 * id, opens the relay tagged with it and broadcasts a hello; everyone already there builds a
 * connection for the newcomer and offers to it, one-to-one ("@<id> …"). Only the people inside
 * offer, never the newcomer, so two offers never cross and no server-side membership is needed;
 * that is also who offers in natter. Each connection handles its messages one at a time, because a
 * candidate may arrive before the description it belongs to has been applied. The camera
 * constraints are natter's (frontend/call/media/local-media.ts), so both pay the same capture and
 * encode cost. With two people it is one connection, as the floor always was.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>floor</title></head>
<body>
<script>
const room = location.pathname.split("/")[2];
const me = Math.random().toString(36).slice(2, 10);
const media = navigator.mediaDevices.getUserMedia({
  audio: true,
  video: { width: { ideal: 960 }, height: { ideal: 540 }, frameRate: { ideal: 24, max: 30 } },
});
const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/relay/" + room + "?peer=" + me);
// The payload's own key first, so the bench's tally names the message by it ("candidate", "description").
const sendTo = (id, message) => ws.send("@" + id + " " + JSON.stringify({ ...message, from: me }));
const peers = new Map();
function peer(id) {
  let p = peers.get(id);
  if (p) return p;
  // One transport per connection, as natter asks for: fewer candidates to gather and check.
  const pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: "max-bundle" });
  pc.onicecandidate = ({ candidate }) => { if (candidate) sendTo(id, { candidate }); };
  // Not muted: natter plays each person's sound through their tile's video, so the floor decodes and plays it too.
  const video = document.body.appendChild(document.createElement("video"));
  Object.assign(video, { autoplay: true, playsInline: true });
  pc.ontrack = ({ streams }) => { video.srcObject = streams[0]; };
  // Tracks first: the offer (or the answer) must carry them.
  p = { pc, queue: media.then((stream) => { for (const track of stream.getTracks()) pc.addTrack(track, stream); }) };
  peers.set(id, p);
  return p;
}
ws.onopen = () => ws.send(JSON.stringify({ hello: me }));
ws.onmessage = ({ data }) => {
  const message = JSON.parse(data.startsWith("@") ? data.slice(data.indexOf(" ") + 1) : data);
  const id = message.hello ?? message.from;
  const p = peer(id);
  const { pc } = p;
  p.queue = p.queue.then(async () => {
    if (message.hello) {
      await pc.setLocalDescription();
      sendTo(id, { description: pc.localDescription });
    } else if (message.description) {
      await pc.setRemoteDescription(message.description);
      if (message.description.type === "offer") {
        await pc.setLocalDescription();
        sendTo(id, { description: pc.localDescription });
      }
    } else if (message.candidate) {
      await pc.addIceCandidate(message.candidate);
    }
  }).catch((error) => console.warn("floor:", error)); // logged for the bench's failure report; the queue goes on
};
</script>
</body>
</html>
`;
