/**
 * The shell's side of SFU mode: carries out one request the rules described (room-rules/
 * sfu-calls.ts) against Cloudflare Realtime's API (realtime-api.ts) and reports what it came
 * to, as plain data for the rules. It decides nothing: who may ask, and what to keep and tell,
 * are the rules'. Failures become outcomes with the SFU's code and description, never throws.
 */
import { RealtimeApi, type RealtimeConfig, RealtimeError } from "./realtime-api";
import type { TracksResponse } from "./realtime-shapes";
import type { SfuCall, SfuOutcome, SfuTrackOutcome } from "./room-rules/sfu-calls";

export async function carryOut(config: RealtimeConfig | null, call: SfuCall): Promise<SfuOutcome> {
  if (!config) return { ok: false, sessionId: null, reason: "no SFU is configured" };
  const api = new RealtimeApi(config);
  let sessionId = call.sessionId;
  try {
    sessionId ??= await api.newSession();
    const id = sessionId;
    switch (call.op) {
      case "publish":
        return outcome(
          id,
          await api.newTracks(id, {
            sessionDescription: { type: "offer", sdp: call.offer },
            tracks: call.tracks.map((t) => ({ location: "local", ...t })),
          }),
        );
      case "pull":
        return outcome(
          id,
          await api.newTracks(id, {
            tracks: call.tracks.map(({ sessionId: from, trackName }) => ({
              location: "remote",
              sessionId: from,
              trackName,
            })),
          }),
        );
      case "renegotiate":
        await api.renegotiate(id, { type: "answer", sdp: call.answer });
        return { ok: true, sessionId: id, sdp: null, tracks: [] };
      case "close":
        return outcome(
          id,
          await api.closeTracks(id, {
            ...(call.offer !== null && { sessionDescription: { type: "offer", sdp: call.offer } }),
            tracks: call.mids.map((mid) => ({ mid })),
            force: call.offer === null,
          }),
        );
      case "layer": {
        // Falls back to lower layers when the preferred one is not sent or does not fit the bandwidth:
        // a smaller picture beats a frozen one ("Quality control" on Cloudflare's simulcast page).
        const simulcast = {
          preferredRid: call.layer,
          priorityOrdering: "asciibetical",
          ridNotAvailable: "asciibetical",
        } as const;
        const { mid, from, trackName } = call;
        return outcome(
          id,
          await api.updateTracks(id, { tracks: [{ location: "remote", sessionId: from, trackName, mid, simulcast }] }),
        );
      }
      case "end":
        return outcome(id, await api.closeTracks(id, { tracks: call.mids.map((mid) => ({ mid })), force: true }));
    }
  } catch (error) {
    const reason = error instanceof RealtimeError ? error.message : "the SFU request failed";
    return { ok: false, sessionId, reason };
  }
}

function outcome(sessionId: string, answer: TracksResponse): SfuOutcome {
  const tracks = answer.tracks.map(
    (t): SfuTrackOutcome => ({
      ...(t.mid !== undefined && { mid: t.mid }),
      ...(t.trackName !== undefined && { trackName: t.trackName }),
      ...(t.sessionId !== undefined && { sessionId: t.sessionId }),
      ...(t.errorCode !== undefined && { error: `${t.errorCode}: ${t.errorDescription ?? ""}` }),
    }),
  );
  return { ok: true, sessionId, sdp: answer.sessionDescription?.sdp ?? null, tracks };
}
