/**
 * The soak test's instruments (test/e2e/soak.test.ts): what every pair's media is doing right
 * now, each page's JS heap after a garbage collection, and the Room's test-only hooks
 * (worker/soak-hooks.ts) that evict it and name its stored keys.
 */
import type { CDPSession, Page } from "playwright-core";

/** One live RTCPeerConnection of a page, as a heartbeat sees it. */
export interface PairSample {
  /** Position in `window.__e2ePeerConnections` (browser.ts): stable for the life of the page. */
  index: number;
  iceConnectionState: RTCIceConnectionState;
  /** Sum of bytesReceived over the connection's video inbound-rtp streams. */
  videoBytes: number;
}

/** Runs in the page: every recorded connection that is not closed, with its ICE state and video bytes in. */
export async function readPairs(): Promise<PairSample[]> {
  const recorded: RTCPeerConnection[] =
    (window as unknown as { __e2ePeerConnections?: RTCPeerConnection[] }).__e2ePeerConnections ?? [];
  const samples = await Promise.all(
    recorded.map(async (pc, index): Promise<PairSample | null> => {
      if (pc.connectionState === "closed") return null;
      let videoBytes = 0;
      try {
        (await pc.getStats()).forEach((stat: { type?: string; kind?: string; bytesReceived?: number }) => {
          if (stat.type === "inbound-rtp" && stat.kind === "video") videoBytes += stat.bytesReceived ?? 0;
        });
      } catch {
        return null; // closed while we asked
      }
      return { index, iceConnectionState: pc.iceConnectionState, videoBytes };
    }),
  );
  return samples.filter((s): s is PairSample => s !== null);
}

/** Runs in the page: the names in the remote tiles' captions, sorted. */
export function readTileNames(): string[] {
  return [...document.querySelectorAll('figure[data-testid="remote-tile"]')]
    .map((tile) => tile.querySelector(".tile__caption")?.textContent ?? "(no caption)")
    .sort();
}

/** Runs in the page: the room id in the URL of the page's newest room socket. */
export function readRoomId(): string | null {
  const sockets: WebSocket[] = (window as unknown as { __e2eSockets?: WebSocket[] }).__e2eSockets ?? [];
  for (const ws of [...sockets].reverse()) {
    const id = ws.url.match(/\/api\/rooms\/([^/]+)\/ws/)?.[1];
    if (id) return id;
  }
  return null;
}

/** Runs in the page: drops every open room socket as a network blip would (4000: no deliberate leave). */
export function dropRoomSockets(): number {
  const sockets: WebSocket[] = (window as unknown as { __e2eSockets?: WebSocket[] }).__e2eSockets ?? [];
  const open = sockets.filter((ws) => ws.readyState === WebSocket.OPEN && ws.url.includes("/api/rooms/"));
  for (const ws of open) ws.close(4000, "soak: simulated network drop");
  return open.length;
}

/**
 * The page's used JS heap in bytes, after a full garbage collection so that what is counted is
 * what the page still holds, not what it has yet to free.
 */
export async function usedHeapAfterGc(session: CDPSession): Promise<number> {
  await session.send("HeapProfiler.collectGarbage");
  const { usedSize } = await session.send("Runtime.getHeapUsage");
  return usedSize;
}

export async function heapSession(page: Page): Promise<CDPSession> {
  const session = await page.context().newCDPSession(page);
  await session.send("HeapProfiler.enable");
  return session;
}

/** Resets the room's Durable Object (ctx.abort) through the test-only hook; throws unless it did. */
export async function evictRoom(baseUrl: string, roomId: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/soak/rooms/${roomId}/evict`, {
    method: "POST",
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 204)
    throw new Error(`evicting the room answered ${response.status}: ${await response.text()}`);
}

/** The names of the keys the room stores (the hook never returns values). */
export async function roomStorageKeys(baseUrl: string, roomId: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/soak/rooms/${roomId}/keys`, { signal: AbortSignal.timeout(30_000) });
  if (response.status !== 200) throw new Error(`listing the room's keys answered ${response.status}`);
  const { keys } = (await response.json()) as { keys: string[] };
  return [...keys].sort();
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Init script: every room socket's close (code, reason, when) in `window.__soakCloses`, so that
 * a failure says who closed what, and the run can count closes nobody injected. Runs after
 * browser.ts's recorder, whose class it extends.
 */
export const RECORD_SOCKET_CLOSES = `(() => {
  const Native = window.WebSocket;
  if (typeof Native !== "function" || window.__soakCloses) return;
  const closes = [];
  Object.defineProperty(window, "__soakCloses", { value: closes });
  window.WebSocket = class WebSocket extends Native {
    constructor(...args) {
      super(...args);
      const opened = Date.now();
      this.addEventListener("close", (event) => {
        closes.push({ at: new Date().toISOString(), openFor: Date.now() - opened, code: event.code, reason: event.reason, clean: event.wasClean });
      });
    }
  };
})();`;

export interface SocketClose {
  at: string;
  openFor: number;
  code: number;
  reason: string;
  clean: boolean;
}

/** Runs in the page: the room socket closes recorded so far. */
export function readSocketCloses(): SocketClose[] {
  return (window as unknown as { __soakCloses?: SocketClose[] }).__soakCloses ?? [];
}
