/**
 * The floor the bench compares natter against: a Worker with a bare relay Durable Object and one
 * inline page that makes the smallest possible call (getUserMedia, one RTCPeerConnection,
 * offer/answer/candidates over the relay). Whatever natter takes beyond this is natter's overhead.
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
 * does); anything else goes to every other socket in the room, which is all a two-person call needs.
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
 * The minimal call. The peer already in the room offers when it hears a newcomer's hello, so no
 * server-side membership is needed. Messages are handled one at a time because a candidate may
 * arrive before the description it belongs to has been applied. The camera constraints are
 * natter's (frontend/call/media/local-media.ts), so both pay the same capture and encode cost.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>floor</title></head>
<body>
<video id="remote" autoplay playsinline muted></video>
<script>
const room = location.pathname.split("/")[2];
const pc = new RTCPeerConnection({ iceServers: [] });
const media = navigator.mediaDevices
  .getUserMedia({ audio: true, video: { width: { ideal: 960 }, height: { ideal: 540 }, frameRate: { ideal: 24, max: 30 } } })
  .then((stream) => { for (const track of stream.getTracks()) pc.addTrack(track, stream); });
const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/relay/" + room);
const send = (message) => ws.send(JSON.stringify(message));
pc.onicecandidate = ({ candidate }) => { if (candidate) send({ candidate }); };
pc.ontrack = ({ streams }) => { document.getElementById("remote").srcObject = streams[0]; };
ws.onopen = () => send({ hello: true });
let queue = Promise.resolve();
ws.onmessage = ({ data }) => {
  const message = JSON.parse(data);
  queue = queue.then(async () => {
    await media;
    if (message.hello) {
      await pc.setLocalDescription();
      send({ description: pc.localDescription });
    } else if (message.description) {
      await pc.setRemoteDescription(message.description);
      if (message.description.type === "offer") {
        await pc.setLocalDescription();
        send({ description: pc.localDescription });
      }
    } else if (message.candidate) {
      await pc.addIceCandidate(message.candidate);
    }
  });
};
</script>
</body>
</html>
`;
