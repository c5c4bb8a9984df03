/**
 * SFU mode's rules as a pure function (durable-objects/room-rules/sfu.ts, sfu-results.ts):
 * who may ask the SFU for what, what the room keeps, whom it tells, and what it undoes when a
 * member is gone by the time the SFU answers. No sockets, no SFU.
 */
import { describe, expect, it } from "vitest";
import type { Facts, RoomEvent } from "../../durable-objects/room-rules/facts";
import { SFU_REQUEST_HOLD_MS } from "../../durable-objects/room-rules/limits";
import type { SfuCall, SfuOutcome, SfuRecord } from "../../durable-objects/room-rules/sfu-calls";
import { ada, bo, cy, decideNow, frame, heardBy, roomFacts, said } from "./support/room-facts";

const withSfu = (facts: Facts): Facts => ({ ...facts, settings: { ...facts.settings, sfu: true } });
const adaPublishes: SfuRecord = {
  sessionId: "session-ada",
  published: [
    { mid: "0", trackName: "mic" },
    { mid: "1", trackName: "cam" },
  ],
  pulled: [],
};
const sfuCalls = (effects: ReturnType<typeof decideNow>) => effects.flatMap((e) => (e.kind === "sfu" ? [e.call] : []));
const result = (call: SfuCall, outcome: SfuOutcome): RoomEvent => ({ kind: "sfu-result", call, outcome });

describe("SFU requests", () => {
  it("are refused with sfu-unavailable when no SFU is configured, and call nothing", () => {
    const effects = decideNow(
      roomFacts({ connected: [ada, bo] }),
      frame(0, { type: "sfu-pull", from: bo.id, tracks: ["cam"] }),
    );
    expect(heardBy(effects, 0)).toEqual([expect.objectContaining({ code: "sfu-unavailable" })]);
    expect(sfuCalls(effects)).toEqual([]);
  });

  it("from a member become one request, with the publisher's session looked up by the room", () => {
    const facts = withSfu(roomFacts({ connected: [ada, bo], records: { sfu: { [ada.id]: adaPublishes } } }));
    const effects = decideNow(facts, frame(1, { type: "sfu-pull", from: ada.id, tracks: ["cam"] }));
    expect(sfuCalls(effects)).toEqual([
      {
        op: "pull",
        member: bo.id,
        sessionId: null,
        tracks: [{ from: ada.id, sessionId: "session-ada", trackName: "cam" }],
      },
    ]);
    expect(said(effects)).toEqual([]);
  });

  it("may pull from a member briefly away, whose tracks the SFU may still forward, but not from one who is gone", () => {
    const away = withSfu(
      roomFacts({
        connected: [bo],
        away: [{ member: ada, until: 2_000_000 }],
        records: { sfu: { [ada.id]: adaPublishes } },
      }),
    );
    expect(sfuCalls(decideNow(away, frame(0, { type: "sfu-pull", from: ada.id, tracks: ["mic"] })))).toHaveLength(1);
    const gone = withSfu(roomFacts({ connected: [bo], records: { sfu: { [ada.id]: adaPublishes } } }));
    const effects = decideNow(gone, frame(0, { type: "sfu-pull", from: ada.id, tracks: ["mic"] }));
    expect(heardBy(effects, 0)).toEqual([expect.objectContaining({ code: "unknown-peer" })]);
  });

  it("refuses publishing more than a member may, counting what it already publishes", () => {
    const facts = withSfu(roomFacts({ connected: [ada], records: { sfu: { [ada.id]: adaPublishes } } }));
    const tracks = Array.from({ length: 7 }, (_, i) => ({ mid: String(i + 2), trackName: `t${i}` }));
    const effects = decideNow(facts, frame(0, { type: "sfu-publish", offer: "v=0", tracks }));
    expect(heardBy(effects, 0)).toEqual([expect.objectContaining({ code: "too-many-tracks" })]);
    expect(sfuCalls(effects)).toEqual([]);
  });

  it("are refused while the member's last one is out, until it has been out SFU_REQUEST_HOLD_MS", () => {
    const base = withSfu(roomFacts({ connected: [ada, bo], records: { sfu: { [ada.id]: adaPublishes } } }));
    const outSince = (since: number): Facts => ({
      ...base,
      sockets: base.sockets.map((socket, i) =>
        i === 1 ? { ...socket, attachment: { ...socket.attachment, sfuSince: since } } : socket,
      ),
    });
    const pull = frame(1, { type: "sfu-pull", from: ada.id, tracks: ["cam"] });
    const busy = decideNow(outSince(base.now - (SFU_REQUEST_HOLD_MS - 1)), pull);
    expect(heardBy(busy, 1)).toEqual([expect.objectContaining({ code: "sfu-busy" })]);
    expect(sfuCalls(busy)).toEqual([]);
    // An answer that never came no longer holds the member back.
    expect(sfuCalls(decideNow(outSince(base.now - SFU_REQUEST_HOLD_MS), pull))).toHaveLength(1);
  });
});

describe("SFU outcomes", () => {
  const publish: SfuCall = {
    op: "publish",
    member: ada.id,
    sessionId: null,
    offer: "v=0",
    tracks: [{ mid: "0", trackName: "mic" }],
  };
  const published: SfuOutcome = {
    ok: true,
    sessionId: "session-new",
    sdp: "v=0 answer",
    tracks: [{ mid: "0", trackName: "mic" }],
  };

  it("keep the new session, answer the member and tell the others", () => {
    const effects = decideNow(withSfu(roomFacts({ connected: [ada, bo] })), result(publish, published));
    expect(effects).toContainEqual({
      kind: "store",
      key: `sfu:${ada.id}`,
      value: { sessionId: "session-new", published: [{ mid: "0", trackName: "mic" }], pulled: [] },
    });
    expect(said(effects)).toEqual([
      { to: 0, message: { type: "sfu-published", answer: "v=0 answer", tracks: [{ mid: "0", trackName: "mic" }] } },
      { to: `members but ${ada.id}`, message: { type: "sfu-tracks", id: ada.id, tracks: ["mic"] } },
    ]);
  });

  it("of a member gone meanwhile close what the request opened, keep nothing and tell no one", () => {
    const effects = decideNow(withSfu(roomFacts({ connected: [bo, cy] })), result(publish, published));
    expect(sfuCalls(effects)).toEqual([{ op: "end", member: ada.id, sessionId: "session-new", mids: ["0"] }]);
    expect(said(effects)).toEqual([]);
    expect(effects.filter((e) => e.kind === "store")).toEqual([]);
  });
});

describe("SFU answers the member would otherwise wait for in vain", () => {
  const bobHasSession: SfuRecord = { sessionId: "session-bo", published: [], pulled: [] };
  const facts = withSfu(
    roomFacts({ connected: [ada, bo], records: { sfu: { [ada.id]: adaPublishes, [bo.id]: bobHasSession } } }),
  );
  const pull: SfuCall = {
    op: "pull",
    member: bo.id,
    sessionId: "session-bo",
    tracks: [{ from: ada.id, sessionId: "session-ada", trackName: "cam" }],
  };

  it("a pull the SFU needed no renegotiation for is still told, without an offer, with each track's mid", () => {
    const outcome: SfuOutcome = {
      ok: true,
      sessionId: "session-bo",
      sdp: null,
      tracks: [{ mid: "4", trackName: "cam" }],
    };
    const effects = decideNow(facts, result(pull, outcome));
    expect(heardBy(effects, 1)).toEqual([
      { type: "sfu-pulled", tracks: [{ from: ada.id, trackName: "cam", mid: "4" }] },
    ]);
  });

  it("a pull that opened none of the tracks and refused none is told as a failure", () => {
    const outcome: SfuOutcome = { ok: true, sessionId: "session-bo", sdp: "v=0 offer", tracks: [] };
    const effects = decideNow(facts, result(pull, outcome));
    expect(heardBy(effects, 1)).toEqual([expect.objectContaining({ type: "error", code: "sfu-failed" })]);
  });

  it("a publish the SFU took without an answer is told as a failure", () => {
    const publish: SfuCall = {
      op: "publish",
      member: bo.id,
      sessionId: "session-bo",
      offer: "v=0",
      tracks: [{ mid: "0", trackName: "mic" }],
    };
    const outcome: SfuOutcome = {
      ok: true,
      sessionId: "session-bo",
      sdp: null,
      tracks: [{ mid: "0", trackName: "mic" }],
    };
    const effects = decideNow(facts, result(publish, outcome));
    expect(heardBy(effects, 1)).toEqual([expect.objectContaining({ type: "error", code: "sfu-failed" })]);
  });
});

describe("choosing a pulled track's simulcast layer", () => {
  const bobPulls: SfuRecord = {
    sessionId: "session-bo",
    published: [],
    pulled: [{ mid: "4", from: ada.id, trackName: "cam" }],
  };
  const facts = withSfu(
    roomFacts({ connected: [ada, bo], records: { sfu: { [ada.id]: adaPublishes, [bo.id]: bobPulls } } }),
  );
  const layer: SfuCall = {
    op: "layer",
    member: bo.id,
    sessionId: "session-bo",
    mid: "4",
    from: "session-ada",
    trackName: "cam",
    layer: "q",
  };

  it("becomes one request naming the publisher's session and track, which members never see", () => {
    const effects = decideNow(facts, frame(1, { type: "sfu-layer", mid: "4", layer: "q" }));
    expect(sfuCalls(effects)).toEqual([layer]);
    expect(said(effects)).toEqual([]);
  });

  it("is refused for a mid the member does not pull, or without an SFU session, calling nothing", () => {
    const unknown = decideNow(facts, frame(1, { type: "sfu-layer", mid: "0", layer: "q" }));
    expect(heardBy(unknown, 1)).toEqual([expect.objectContaining({ code: "unknown-track" })]);
    const noSession = decideNow(facts, frame(0, { type: "sfu-layer", mid: "4", layer: "q" }));
    expect(heardBy(noSession, 0)).toEqual([expect.objectContaining({ code: "unknown-track" })]);
    const nobody = withSfu(roomFacts({ connected: [ada, bo], records: { sfu: { [ada.id]: adaPublishes } } }));
    const none = decideNow(nobody, frame(1, { type: "sfu-layer", mid: "4", layer: "q" }));
    expect(heardBy(none, 1)).toEqual([expect.objectContaining({ code: "sfu-no-session" })]);
    expect([...sfuCalls(unknown), ...sfuCalls(noSession), ...sfuCalls(none)]).toEqual([]);
  });

  it("is refused once the publisher no longer publishes the track", () => {
    const stopped = withSfu(
      roomFacts({
        connected: [ada, bo],
        records: { sfu: { [ada.id]: { ...adaPublishes, published: [] }, [bo.id]: bobPulls } },
      }),
    );
    const effects = decideNow(stopped, frame(1, { type: "sfu-layer", mid: "4", layer: "q" }));
    expect(heardBy(effects, 1)).toEqual([expect.objectContaining({ code: "unknown-track" })]);
    expect(sfuCalls(effects)).toEqual([]);
  });

  it("is told when the SFU took it, and as a failure when it refused the track", () => {
    const ok: SfuOutcome = { ok: true, sessionId: "session-bo", sdp: null, tracks: [{ mid: "4", trackName: "cam" }] };
    expect(heardBy(decideNow(facts, result(layer, ok)), 1)).toEqual([{ type: "sfu-layer-set", mid: "4", layer: "q" }]);
    const refused: SfuOutcome = { ...ok, tracks: [{ mid: "4", trackName: "cam", error: "not_found: no such mid" }] };
    expect(heardBy(decideNow(facts, result(layer, refused)), 1)).toEqual([
      expect.objectContaining({ type: "error", code: "sfu-failed" }),
    ]);
  });

  it("of a member gone meanwhile closes nothing: a layer change opens no track", () => {
    const gone = withSfu(roomFacts({ connected: [ada], records: { sfu: { [ada.id]: adaPublishes } } }));
    const ok: SfuOutcome = { ok: true, sessionId: "session-bo", sdp: null, tracks: [{ mid: "4", trackName: "cam" }] };
    const effects = decideNow(gone, result(layer, ok));
    expect(sfuCalls(effects)).toEqual([]);
    expect(said(effects)).toEqual([]);
  });
});

describe("leaving in SFU mode", () => {
  it("a removal ends the removed member's SFU session: every track it publishes or pulls", () => {
    const record: SfuRecord = { ...adaPublishes, pulled: [{ mid: "2", from: bo.id, trackName: "cam" }] };
    const facts = withSfu(roomFacts({ connected: [ada, bo], records: { sfu: { [ada.id]: record } } }));
    const effects = decideNow(facts, frame(1, { type: "kick", id: ada.id }));
    expect(sfuCalls(effects)).toEqual([{ op: "end", member: ada.id, sessionId: "session-ada", mids: ["0", "1", "2"] }]);
    expect(effects).toContainEqual({ kind: "delete", keys: [`sfu:${ada.id}`] });
  });

  it("a member without an SFU session leaves exactly as in a mesh call", () => {
    const facts = withSfu(roomFacts({ connected: [ada, bo] }));
    const effects = decideNow(facts, frame(1, { type: "kick", id: ada.id }));
    expect(sfuCalls(effects)).toEqual([]);
    expect(effects).toEqual(decideNow(roomFacts({ connected: [ada, bo] }), frame(1, { type: "kick", id: ada.id })));
  });
});
