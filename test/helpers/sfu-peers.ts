/**
 * For the workers-sfu tests, which run inside workerd where there is no WebRTC: the local SFU
 * stand-in, and a small loopback HTTP service of werift peer connections standing where
 * browsers would, so those tests send the room real offers and answers. It also counts the
 * requests the stand-in receives, so a test can prove that a refused message called nothing.
 *
 *   POST /offer  {kinds}          → {peer, sdp, mids}  a new peer's offer with one sending m-line per kind
 *   POST /accept {peer, sdp}      → {}                 the SFU's answer to that offer
 *   POST /answer {sdp}            → {peer, sdp}        a new peer's answer to an SFU offer
 *   GET  /calls                   → {count}            requests the stand-in has received so far
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MediaStreamTrack, RTCPeerConnection } from "werift";
import { standinPeerConfig } from "../../tooling/sfu-standin/peer-config";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";

export interface SfuPeers {
  readonly sfu: SfuStandin;
  /** e.g. http://127.0.0.1:41235 */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startSfuPeers(): Promise<SfuPeers> {
  const sfu = await startSfuStandin();
  let calls = 0;
  sfu.server.http.on("request", () => calls++);
  const peers = new Map<string, RTCPeerConnection>();
  const newPeer = () => {
    const id = String(peers.size + 1);
    const pc = new RTCPeerConnection(standinPeerConfig());
    peers.set(id, pc);
    return { id, pc };
  };

  const routes: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    "GET /calls": async () => ({ count: calls }),
    "POST /offer": async ({ kinds }) => {
      const { id, pc } = newPeer();
      const transceivers = (kinds as ("audio" | "video")[]).map((kind) =>
        pc.addTransceiver(new MediaStreamTrack({ kind }), { direction: "sendonly" }),
      );
      await pc.setLocalDescription(await pc.createOffer());
      return { peer: id, sdp: pc.localDescription?.sdp ?? "", mids: transceivers.map((t) => t.mid ?? "") };
    },
    "POST /accept": async ({ peer, sdp }) => {
      await peers.get(String(peer))?.setRemoteDescription({ type: "answer", sdp: String(sdp) });
      return {};
    },
    "POST /answer": async ({ sdp }) => {
      const { id, pc } = newPeer();
      await pc.setRemoteDescription({ type: "offer", sdp: String(sdp) });
      await pc.setLocalDescription(await pc.createAnswer());
      return { peer: id, sdp: pc.localDescription?.sdp ?? "" };
    },
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, { error: String(error) }));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const route = routes[`${req.method} ${req.url}`];
    if (!route) return reply(res, 404, { error: `no route ${req.method} ${req.url}` });
    let text = "";
    for await (const chunk of req) text += String(chunk);
    reply(res, 200, await route(text ? (JSON.parse(text) as Record<string, unknown>) : {}));
  };
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    sfu,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await Promise.all([...peers.values()].map((pc) => pc.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await sfu.stop();
    },
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json" });
  res.end(text);
}
