/**
 * What the workers-sfu tests use besides the room client: the werift peers that stand where
 * browsers would (real offers and answers), the count of requests the SFU stand-in received,
 * and a look at a session as the SFU itself reports it (GET sessions/{id}).
 */
import { env, runInDurableObject } from "cloudflare:test";
import type { SfuRecord } from "../../../durable-objects/room-rules/sfu-calls";
import { roomStub } from "../../workers/support/room-client";

async function peers<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${env.SFU_TEST_PEERS}${path}`, {
    method,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`peers ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A peer connection's offer with one sending m-line per kind, as a browser would make it. */
export function offerFrom(kinds: ("audio" | "video")[]): Promise<{ peer: string; sdp: string; mids: string[] }> {
  return peers("POST", "/offer", { kinds });
}

/** Applies the SFU's answer to that peer's offer (fails if it is not a usable answer). */
export function acceptAnswer(peer: string, sdp: string): Promise<unknown> {
  return peers("POST", "/accept", { peer, sdp });
}

/** A new peer connection's answer to an offer of the SFU. */
export function answerTo(sdp: string): Promise<{ peer: string; sdp: string }> {
  return peers("POST", "/answer", { sdp });
}

/** Requests the SFU stand-in has received so far. */
export async function sfuCalls(): Promise<number> {
  return (await peers<{ count: number }>("GET", "/calls")).count;
}

/** What the room keeps of member `id`'s SFU session. */
export function sfuRecordOf(room: string, id: string): Promise<SfuRecord | undefined> {
  return runInDurableObject(roomStub(room), (_instance, state) => state.storage.get<SfuRecord>(`sfu:${id}`));
}

/** The room's storage keys of SFU sessions. */
export function sfuKeys(room: string): Promise<string[]> {
  return runInDurableObject(roomStub(room), async (_instance, state) => [
    ...(await state.storage.list({ prefix: "sfu:" })).keys(),
  ]);
}

export interface SessionTrack {
  location: "local" | "remote";
  mid: string;
  trackName: string;
  status: "active" | "inactive";
}

/** The session as the SFU reports it (GET sessions/{id}), with the app's secret like any backend. */
export async function sfuSession(sessionId: string): Promise<{ tracks: SessionTrack[] }> {
  const response = await fetch(`${env.REALTIME_API_BASE}/apps/${env.REALTIME_APP_ID}/sessions/${sessionId}`, {
    headers: { Authorization: `Bearer ${env.REALTIME_APP_SECRET}` },
  });
  if (!response.ok) throw new Error(`GET session: ${response.status} ${await response.text()}`);
  return (await response.json()) as { tracks: SessionTrack[] };
}

/** Waits until `check` holds, polling; fails with `what` after 15 s. */
export async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
