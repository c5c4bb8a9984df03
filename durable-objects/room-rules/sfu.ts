/**
 * SFU mode's requests from members (not used by calls yet): publish our tracks, pull another
 * member's, answer the SFU's offer, close tracks, choose the simulcast layer of a pulled track.
 * The rules decide who may ask for what; the shell only makes the request they describe (an
 * `sfu` effect) and hands back its outcome (sfu-results.ts). A refused request gets one specific
 * error and calls nothing: outsiders, knockers and removed members are not members; a room
 * without the SFU configured says so; a member may pull only tracks that another member in this
 * call publishes, and choose layers only of tracks it pulls.
 */
import type { ClientMessage, ServerMessage } from "../../common/protocol";
import type { Changes } from "./changes";
import { ASK_RECORDS, type Ask } from "./facts";
import { MAX_SFU_PUBLISHED_TRACKS, MAX_SFU_PULLED_TRACKS, SFU_REQUEST_HOLD_MS } from "./limits";
import { error, MEMBERS_ONLY, UNKNOWN_PEER } from "./replies";
import type { SfuCall, SfuRecord } from "./sfu-calls";

export type SfuMessage = Extract<ClientMessage, { type: `sfu-${string}` }>;

export const SFU_UNAVAILABLE = error("sfu-unavailable", "This room has no SFU configured: calls stay peer to peer.");
const SFU_BUSY = error("sfu-busy", "Your previous SFU request has not been answered yet; send one at a time.");
const NO_SESSION = error("sfu-no-session", "Publish or pull something first: you have no SFU session.");
const tooMany = (why: string) => error("too-many-tracks", why);

export function sfuMessage(changes: Changes, ref: number, message: SfuMessage): Ask | undefined {
  const { member, sfuSince } = changes.room.attachment(ref);
  if (!member) return changes.send(ref, MEMBERS_ONLY);
  if (!changes.facts.settings.sfu) return changes.send(ref, SFU_UNAVAILABLE);
  if (!changes.facts.records) return ASK_RECORDS;
  if (sfuSince !== undefined && changes.now - sfuSince < SFU_REQUEST_HOLD_MS) return changes.send(ref, SFU_BUSY);
  const record = changes.sfuRecord(member.id);
  const call = callFor(changes, ref, member.id, record, message);
  if ("type" in call) return changes.send(ref, call);
  changes.update(ref, { sfuSince: changes.now });
  changes.sfu(call);
}

/** The request `message` makes, or the error that refuses it. */
function callFor(
  changes: Changes,
  ref: number,
  id: string,
  record: SfuRecord | null,
  message: SfuMessage,
): SfuCall | ServerMessage {
  const sessionId = record?.sessionId ?? null;
  switch (message.type) {
    case "sfu-publish": {
      const published = [...withoutMids(record?.published ?? [], message.tracks), ...message.tracks];
      if (hasDuplicates(message.tracks.map((t) => t.mid)) || hasDuplicates(published.map((t) => t.trackName)))
        return tooMany("Each mid and each track name may be used once.");
      if (published.length > MAX_SFU_PUBLISHED_TRACKS)
        return tooMany(`A member may publish at most ${MAX_SFU_PUBLISHED_TRACKS} tracks.`);
      return { op: "publish", member: id, sessionId, offer: message.offer, tracks: message.tracks };
    }
    case "sfu-pull": {
      const isOther = changes.room.everyoneBut(ref).some((m) => m.id === message.from);
      if (message.from === id || !isOther) return UNKNOWN_PEER;
      const source = changes.sfuRecord(message.from);
      const missing = message.tracks.find((name) => !source?.published.some((t) => t.trackName === name));
      if (!source || missing !== undefined)
        return error("unknown-track", `That member publishes no track named ${JSON.stringify(missing ?? "")}.`);
      if (hasDuplicates(message.tracks)) return tooMany("Each track name may be pulled once per request.");
      if ((record?.pulled.length ?? 0) + message.tracks.length > MAX_SFU_PULLED_TRACKS)
        return tooMany(`A member may pull at most ${MAX_SFU_PULLED_TRACKS} tracks.`);
      const tracks = message.tracks.map((trackName) => ({
        from: message.from,
        sessionId: source.sessionId,
        trackName,
      }));
      return { op: "pull", member: id, sessionId, tracks };
    }
    case "sfu-renegotiate":
      if (!record) return NO_SESSION;
      return { op: "renegotiate", member: id, sessionId: record.sessionId, answer: message.answer };
    case "sfu-close": {
      if (!record) return NO_SESSION;
      const held = new Set([...record.published, ...record.pulled].map((t) => t.mid));
      const unknown = message.mids.find((mid) => !held.has(mid));
      if (unknown !== undefined)
        return error("unknown-track", `You hold no SFU track on mid ${JSON.stringify(unknown)}.`);
      if (hasDuplicates(message.mids)) return tooMany("Each mid may be closed once per request.");
      const offer = message.offer ?? null;
      return { op: "close", member: id, sessionId: record.sessionId, mids: message.mids, offer };
    }
    case "sfu-layer": {
      if (!record) return NO_SESSION;
      const pulled = record.pulled.find((t) => t.mid === message.mid);
      if (!pulled) return error("unknown-track", `You pull no SFU track on mid ${JSON.stringify(message.mid)}.`);
      // The SFU names the track by its publisher's session, which members never see.
      const source = changes.sfuRecord(pulled.from);
      if (!source?.published.some((t) => t.trackName === pulled.trackName))
        return error("unknown-track", "That member no longer publishes this track.");
      const { mid, trackName } = pulled;
      const from = source.sessionId;
      return { op: "layer", member: id, sessionId: record.sessionId, mid, from, trackName, layer: message.layer };
    }
  }
}

/** The newcomer on socket `ref` hears who publishes which tracks, as the others did when it happened. */
export function tellPublishers(changes: Changes, ref: number, newcomer: string): void {
  for (const [id, record] of Object.entries(changes.records.sfu ?? {})) {
    if (id === newcomer || record.published.length === 0) continue;
    changes.send(ref, publishes(id, record));
  }
}

/** The announcement of what member `id` publishes now. */
export function publishes(id: string, record: SfuRecord | null): ServerMessage {
  return { type: "sfu-tracks", id, tracks: (record?.published ?? []).map((t) => t.trackName) };
}

export function withoutMids<T extends { mid: string }>(tracks: readonly T[], gone: readonly { mid: string }[]): T[] {
  return tracks.filter((t) => !gone.some((g) => g.mid === t.mid));
}

function hasDuplicates(values: readonly string[]): boolean {
  return new Set(values).size !== values.length;
}
