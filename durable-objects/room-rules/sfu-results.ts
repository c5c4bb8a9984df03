/**
 * What the room does when an SFU request comes back (sfu.ts made it): keep the member's
 * session and tracks, give the member the SFU's answer or offer, and tell the other members
 * what it publishes now. Between the request and its outcome the room went on: the member may
 * have left or been removed, in which case whatever the request opened on the SFU is closed
 * again and nobody is told anything.
 */
import type { ServerMessage } from "../../common/protocol";
import type { Changes } from "./changes";
import { ASK_RECORDS, type Ask } from "./facts";
import { error } from "./replies";
import { publishes, withoutMids } from "./sfu";
import type { SfuCall, SfuOutcome, SfuRecord, SfuTrackOutcome } from "./sfu-calls";

export function sfuResult(changes: Changes, call: SfuCall, outcome: SfuOutcome): Ask | undefined {
  if (call.op === "end") return; // The member is gone: there is no one to tell.
  if (!changes.facts.records) return ASK_RECORDS;
  const id = call.member;
  const ref = changes.room.socketOf(id);
  if (ref !== undefined) changes.update(ref, { sfuSince: undefined });
  const tell = (message: ServerMessage) => (ref === undefined ? undefined : changes.send(ref, message));
  const stored = changes.sfuRecord(id);
  const made = outcome.sessionId !== null && outcome.sessionId !== stored?.sessionId ? outcome.sessionId : null;
  if (!changes.room.isLive(id, changes.now) || (made !== null && stored !== null)) {
    // Gone meanwhile, or (only if the one-at-a-time hold lapsed) a second session raced the first: undo it.
    const sessionId = made ?? outcome.sessionId;
    const opens = call.op === "publish" || call.op === "pull";
    const mids = outcome.ok && opens ? opened(outcome.tracks).map((t) => t.mid) : [];
    if (sessionId !== null && mids.length > 0) changes.sfu({ op: "end", member: id, sessionId, mids });
    if (stored !== null && made !== null) tell(error("sfu-busy", "Another SFU request of yours was answered first."));
    return;
  }
  const record: SfuRecord = stored ?? { sessionId: outcome.sessionId ?? "", published: [], pulled: [] };
  if (!outcome.ok) {
    if (made !== null) changes.setSfuRecord(id, record); // The session was made: the next request uses it.
    return tell(error("sfu-failed", `The SFU refused: ${outcome.reason}`));
  }
  const failed = outcome.tracks.filter((t) => t.error !== undefined);
  const done = ok(changes, call, outcome, record, tell);
  if (failed.length > 0) {
    const why = failed.map((t) => `${t.trackName ?? t.mid ?? "?"}: ${t.error}`).join("; ");
    tell(error("sfu-failed", `The SFU refused ${done ? "some tracks" : "every track"}: ${why}`));
  } else if (!done) {
    // An answer that opened none of the tracks asked for and refused none: the member still hears of it.
    tell(error("sfu-failed", "The SFU answered without opening any of the tracks asked for."));
  }
}

/** A successful request: keeps what it changed and tells whom it concerns. Whether any track made it. */
function ok(
  changes: Changes,
  call: Exclude<SfuCall, { op: "end" }>,
  outcome: Extract<SfuOutcome, { ok: true }>,
  record: SfuRecord,
  tell: (message: ServerMessage) => undefined,
): boolean {
  const id = call.member;
  const tracks = opened(outcome.tracks);
  switch (call.op) {
    case "publish": {
      const published = call.tracks.filter((t) => tracks.some((o) => o.mid === t.mid));
      const next = { ...record, published: [...withoutMids(record.published, published), ...published] };
      changes.setSfuRecord(id, next);
      if (outcome.sdp !== null) tell({ type: "sfu-published", answer: outcome.sdp, tracks: published });
      else if (published.length > 0)
        tell(error("sfu-failed", "The SFU took the tracks but sent no answer to the offer."));
      if (published.length > 0) changes.broadcast(id, publishes(id, next));
      return published.length > 0;
    }
    case "pull": {
      const pulled = tracks.flatMap(({ mid, trackName }) => {
        const asked = call.tracks.find((t) => t.trackName === trackName);
        return asked ? [{ mid, from: asked.from, trackName }] : [];
      });
      changes.setSfuRecord(id, { ...record, pulled: [...withoutMids(record.pulled, pulled), ...pulled] });
      // Told even without an offer (the SFU needed no renegotiation): otherwise the member would wait for ever.
      if (pulled.length > 0)
        tell({ type: "sfu-pulled", ...(outcome.sdp !== null && { offer: outcome.sdp }), tracks: pulled });
      return pulled.length > 0;
    }
    case "renegotiate":
      tell({ type: "sfu-renegotiated" });
      return true;
    case "layer": {
      const set = tracks.some((t) => t.mid === call.mid);
      if (set) tell({ type: "sfu-layer-set", mid: call.mid, layer: call.layer });
      return set;
    }
    case "close": {
      const gone = call.mids.filter((mid) => !outcome.tracks.some((t) => t.mid === mid && t.error !== undefined));
      const closed = gone.map((mid) => ({ mid }));
      const next = {
        ...record,
        published: withoutMids(record.published, closed),
        pulled: withoutMids(record.pulled, closed),
      };
      changes.setSfuRecord(id, next);
      tell({ type: "sfu-closed", mids: gone, ...(outcome.sdp !== null && { answer: outcome.sdp }) });
      if (next.published.length !== record.published.length) changes.broadcast(id, publishes(id, next));
      return gone.length > 0;
    }
  }
}

/** The tracks the SFU opened: no error, and a mid to find them by. */
function opened(tracks: SfuTrackOutcome[]): { mid: string; trackName: string }[] {
  return tracks.flatMap((t) => (t.error === undefined && t.mid ? [{ mid: t.mid, trackName: t.trackName ?? "" }] : []));
}
