/**
 * Mesh or SFU as a pure function (durable-objects/room-rules/call-mode.ts and where the room's
 * rules call it): when a call turns to the SFU and back, whom the room tells, what it keeps,
 * when it looks again, and how many people a call holds. Without the SFU configured, nothing
 * of it shows: no field, no message, no record, the mesh cap. No sockets, no SFU.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CallModeRecord,
  callModeDueAt,
  callModeSettings,
  capacity,
  isFull,
  MESH,
  meshLimit,
  nextCallMode,
} from "../../durable-objects/room-rules/call-mode";
import type { Effect } from "../../durable-objects/room-rules/changes";
import {
  type Facts,
  type Knock,
  type Member,
  type RoomEvent,
  settingsFrom,
} from "../../durable-objects/room-rules/facts";
import {
  CALL_MODE_HOLD_MS,
  DEFAULT_MAX_PEERS,
  DEFAULT_SFU_MAX_PEERS,
  DEFAULT_SFU_THRESHOLD,
} from "../../durable-objects/room-rules/limits";
import {
  broadcast,
  decideNow,
  FRESH_ID,
  frame,
  heardBy,
  ICE,
  LOCK,
  ofKind,
  type RoomSpec,
  roomFacts,
  said,
} from "./support/room-facts";

const NOW = 1_000_000;
const people = (n: number): Member[] =>
  Array.from({ length: n }, (_, i) => ({ id: (i + 1).toString(16).padStart(32, "0"), name: `P${i + 1}` }));
const credentials = (id: string) => ({ ice: ICE, resumeToken: { id, token: `token-of-${id}` } });
const withSfu = (facts: Facts): Facts => ({ ...facts, settings: { ...facts.settings, sfu: true } });
/** `n` people in the call and one socket at the door (socket `n`), answers ready for a newcomer. */
const callOf = (n: number, spec: RoomSpec = {}) =>
  roomFacts({ connected: people(n), doors: [{ client: "x", since: NOW }], answers: credentials(FRESH_ID), ...spec });
const joinFrom = (socket: number): RoomEvent => frame(socket, { type: "join", name: "New" });
const departure = (socket: number): RoomEvent => ({ kind: "departure", socket, code: 1000 });
const alarm: RoomEvent = { kind: "alarm" };
const at = (facts: Facts, now: number): Facts => ({ ...facts, now });
const modeMessages = (effects: Effect[]) => said(effects).filter((s) => s.message.type === "call-mode");
const modeWrites = (effects: Effect[]) =>
  effects.filter(
    (e) => (e.kind === "store" && e.key === "callMode") || (e.kind === "delete" && e.keys.includes("callMode")),
  );
const welcomeOf = (effects: Effect[], socket: number) => heardBy(effects, socket).find((m) => m.type === "welcome");
const alarmAt = (effects: Effect[]) => ofKind(effects, "alarm").at(-1)?.at;
const knockBy = (name: string): Knock => ({ id: "e".repeat(32), name, at: NOW, client: "x" });

describe("without the SFU configured", () => {
  it("keeps every call mesh and says nothing about it: no field, no message, no record", () => {
    const effects = decideNow(callOf(4), joinFrom(4));
    const welcome = welcomeOf(effects, 4);
    expect(welcome).toBeDefined();
    expect(welcome).not.toHaveProperty("mode");
    expect(modeMessages(effects)).toEqual([]);
    expect(modeWrites(effects)).toEqual([]);
  });

  it("refuses joiner MAX_PEERS + 1 with full, and the admission of a knock into a full call", () => {
    const full = callOf(DEFAULT_MAX_PEERS);
    expect(said(decideNow(full, joinFrom(DEFAULT_MAX_PEERS)))).toEqual([
      { to: DEFAULT_MAX_PEERS, message: { type: "denied", reason: "full" } },
    ]);
    const knock = knockBy("Nine");
    const knocking = roomFacts({ connected: people(DEFAULT_MAX_PEERS), knocking: [knock], records: { lock: LOCK } });
    expect(heardBy(decideNow(knocking, frame(0, { type: "admit", id: knock.id })), DEFAULT_MAX_PEERS)).toEqual([
      { type: "denied", reason: "full" },
    ]);
  });

  it("ignores a stale stored mode and schedules nothing for it", () => {
    const stale: CallModeRecord = { mode: "sfu", smallSince: NOW - 1 };
    const effects = decideNow(callOf(2, { records: { callMode: stale } }), joinFrom(2));
    expect(welcomeOf(effects, 2)).not.toHaveProperty("mode");
    expect(modeMessages(effects)).toEqual([]);
    expect(modeWrites(effects)).toEqual([]);
  });
});

describe("with the SFU configured", () => {
  it("keeps a call of up to SFU_THRESHOLD mesh, and its welcome says so", () => {
    const effects = decideNow(withSfu(callOf(DEFAULT_SFU_THRESHOLD - 1)), joinFrom(DEFAULT_SFU_THRESHOLD - 1));
    expect(welcomeOf(effects, DEFAULT_SFU_THRESHOLD - 1)).toMatchObject({ mode: "mesh" });
    expect(modeMessages(effects)).toEqual([]);
    expect(modeWrites(effects)).toEqual([]);
  });

  it("turns the call to SFU on the join past the threshold: the others hear it, the newcomer's welcome says it", () => {
    const n = DEFAULT_SFU_THRESHOLD;
    const effects = decideNow(withSfu(callOf(n)), joinFrom(n));
    expect(welcomeOf(effects, n)).toMatchObject({ id: FRESH_ID, mode: "sfu" });
    expect(modeMessages(effects)).toEqual([
      { to: `members but ${FRESH_ID}`, message: { type: "call-mode", mode: "sfu" } },
    ]);
    // The others hear who joined, then that the call now goes through the SFU.
    expect(broadcast(effects).map((m) => m.type)).toEqual(["peer-joined", "call-mode"]);
    expect(modeWrites(effects)).toEqual([{ kind: "store", key: "callMode", value: { mode: "sfu" } }]);
  });

  it("turns it to SFU when a member admits a knock past the threshold, the knocker's welcome saying sfu", () => {
    const knock = knockBy("Five");
    const facts = withSfu(
      roomFacts({
        connected: people(DEFAULT_SFU_THRESHOLD),
        knocking: [knock],
        records: { lock: LOCK },
        answers: credentials(knock.id),
      }),
    );
    const effects = decideNow(facts, frame(0, { type: "admit", id: knock.id }));
    expect(welcomeOf(effects, DEFAULT_SFU_THRESHOLD)).toMatchObject({ id: knock.id, mode: "sfu" });
    expect(modeMessages(effects)).toEqual([
      { to: `members but ${knock.id}`, message: { type: "call-mode", mode: "sfu" } },
    ]);
  });

  it("welcomes a member who resumes into an SFU call with sfu, and tells no one anything new", () => {
    const [first, ...rest] = people(DEFAULT_SFU_THRESHOLD + 1);
    const facts = withSfu(
      roomFacts({
        connected: rest,
        away: [{ member: first!, until: NOW + 5_000 }],
        doors: [{ client: "x", since: NOW }],
        records: { callMode: { mode: "sfu" } },
        answers: { resumeTokenValid: true, ...credentials(first!.id) },
      }),
    );
    const effects = decideNow(
      facts,
      frame(rest.length, { type: "join", name: "Back", resume: { id: first!.id, token: "t" } }),
    );
    expect(welcomeOf(effects, rest.length)).toMatchObject({ id: first!.id, mode: "sfu" });
    expect(modeMessages(effects)).toEqual([]);
    expect(modeWrites(effects)).toEqual([]);
  });

  it("goes back to mesh only after the hold, if the call is still small then", () => {
    const sfuCall = withSfu(roomFacts({ connected: people(5), records: { callMode: { mode: "sfu" } } }));
    const left = decideNow(sfuCall, departure(4));
    // Nobody hears anything yet; the room notes when the call became small, and wakes at the hold's end.
    expect(modeMessages(left)).toEqual([]);
    expect(modeWrites(left)).toEqual([{ kind: "store", key: "callMode", value: { mode: "sfu", smallSince: NOW } }]);
    expect(alarmAt(left)).toBe(NOW + CALL_MODE_HOLD_MS);

    const held = withSfu(roomFacts({ connected: people(4), records: { callMode: { mode: "sfu", smallSince: NOW } } }));
    const early = decideNow(at(held, NOW + CALL_MODE_HOLD_MS - 1), alarm);
    expect(modeMessages(early)).toEqual([]);
    expect(modeWrites(early)).toEqual([]);
    expect(alarmAt(early)).toBe(NOW + CALL_MODE_HOLD_MS);

    const due = decideNow(at(held, NOW + CALL_MODE_HOLD_MS), alarm);
    expect(modeMessages(due)).toEqual([{ to: "members but null", message: { type: "call-mode", mode: "mesh" } }]);
    // Plain mesh is kept as no record at all.
    expect(modeWrites(due)).toEqual([{ kind: "delete", keys: ["callMode"] }]);
  });

  it("cancels the hold when a join takes the call past the threshold again, without a word to anyone", () => {
    const held = withSfu(
      callOf(DEFAULT_SFU_THRESHOLD, { records: { callMode: { mode: "sfu", smallSince: NOW - 1_000 } } }),
    );
    const effects = decideNow(held, joinFrom(DEFAULT_SFU_THRESHOLD));
    expect(welcomeOf(effects, DEFAULT_SFU_THRESHOLD)).toMatchObject({ mode: "sfu" });
    expect(modeMessages(effects)).toEqual([]);
    expect(modeWrites(effects)).toEqual([{ kind: "store", key: "callMode", value: { mode: "sfu" } }]);
  });

  it("counts a member briefly away: a dropped socket does not start the hold", () => {
    const sfuCall = withSfu(roomFacts({ connected: people(5), records: { callMode: { mode: "sfu" } } }));
    const dropped = decideNow(sfuCall, { kind: "departure", socket: 4, code: 1006 });
    expect(modeWrites(dropped)).toEqual([]);
  });

  it("admits past MAX_PEERS into the SFU instead of refusing, up to SFU_MAX_PEERS", () => {
    const ninth = decideNow(withSfu(callOf(DEFAULT_MAX_PEERS)), joinFrom(DEFAULT_MAX_PEERS));
    expect(welcomeOf(ninth, DEFAULT_MAX_PEERS)).toMatchObject({ mode: "sfu" });

    const full = withSfu(callOf(DEFAULT_SFU_MAX_PEERS, { records: { callMode: { mode: "sfu" } } }));
    expect(said(decideNow(full, joinFrom(DEFAULT_SFU_MAX_PEERS)))).toEqual([
      { to: DEFAULT_SFU_MAX_PEERS, message: { type: "denied", reason: "full" } },
    ]);
    const knock = knockBy("Fifty-one");
    const knocking = withSfu(
      roomFacts({ connected: people(DEFAULT_SFU_MAX_PEERS), knocking: [knock], records: { lock: LOCK } }),
    );
    expect(heardBy(decideNow(knocking, frame(0, { type: "admit", id: knock.id })), DEFAULT_SFU_MAX_PEERS)).toEqual([
      { type: "denied", reason: "full" },
    ]);
  });

  it("switches at the mesh cap when SFU_THRESHOLD is above it", () => {
    const base = withSfu(callOf(DEFAULT_MAX_PEERS));
    const facts = { ...base, settings: { ...base.settings, sfuThreshold: 20 } };
    const effects = decideNow(facts, joinFrom(DEFAULT_MAX_PEERS));
    expect(welcomeOf(effects, DEFAULT_MAX_PEERS)).toMatchObject({ mode: "sfu" });
    expect(meshLimit(facts.settings)).toBe(DEFAULT_MAX_PEERS);
  });

  it("relays mesh signals in SFU mode and takes SFU requests in mesh mode, for the switch in between", () => {
    const [a, b] = people(2);
    const inSfu = withSfu(roomFacts({ connected: [a!, b!], records: { callMode: { mode: "sfu" } } }));
    const relayed = decideNow(
      inSfu,
      frame(0, { type: "signal", to: b!.id, data: { description: { type: "offer", sdp: "v=0" } } }),
    );
    expect(heardBy(relayed, 1)).toEqual([
      { type: "signal", from: a!.id, data: { description: { type: "offer", sdp: "v=0" } } },
    ]);
    const inMesh = withSfu(roomFacts({ connected: [a!, b!] }));
    const publish = decideNow(
      inMesh,
      frame(0, { type: "sfu-publish", offer: "v=0", tracks: [{ mid: "0", trackName: "mic" }] }),
    );
    expect(ofKind(publish, "sfu")).toHaveLength(1);
  });
});

describe("settings", () => {
  it("take SFU_THRESHOLD and SFU_MAX_PEERS when valid, and the defaults for anything else", () => {
    expect(callModeSettings({})).toEqual({ sfuThreshold: DEFAULT_SFU_THRESHOLD, sfuMaxPeers: DEFAULT_SFU_MAX_PEERS });
    expect(callModeSettings({ SFU_THRESHOLD: "6", SFU_MAX_PEERS: "30" })).toEqual({ sfuThreshold: 6, sfuMaxPeers: 30 });
    for (const bad of ["", "0", "-3", "2.5", "four", "1e400"]) {
      expect(callModeSettings({ SFU_THRESHOLD: bad }).sfuThreshold).toBe(DEFAULT_SFU_THRESHOLD);
    }
    for (const bad of ["", "1", "51", "2.5", "fifty"]) {
      expect(callModeSettings({ SFU_MAX_PEERS: bad }).sfuMaxPeers).toBe(DEFAULT_SFU_MAX_PEERS);
    }
    expect(settingsFrom({ SFU_THRESHOLD: "3" })).toMatchObject({ maxPeers: DEFAULT_MAX_PEERS, sfuThreshold: 3 });
  });
});

describe("the mode over any run of joins, leaves and time (property)", () => {
  type Step = { kind: "join" } | { kind: "leave" } | { kind: "wait"; ms: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.constant<Step>({ kind: "join" }),
    fc.constant<Step>({ kind: "leave" }),
    fc.integer({ min: 1, max: 2 * CALL_MODE_HOLD_MS }).map((ms): Step => ({ kind: "wait", ms })),
  );
  const settings = fc.record({
    sfu: fc.boolean(),
    maxPeers: fc.integer({ min: 2, max: 12 }),
    sfuThreshold: fc.integer({ min: 1, max: 12 }),
    sfuMaxPeers: fc.integer({ min: 2, max: 50 }),
  });

  it("is never sfu without the SFU, never mesh past the limit, never back within the hold, and never over the cap", () => {
    fc.assert(
      fc.property(settings, fc.array(step, { maxLength: 60 }), (s, steps) => {
        const config = { ...settingsFrom({}), ...s };
        let record: CallModeRecord = MESH;
        let members = 0;
        let now = NOW;
        /** When the call was last past the mesh limit. */
        let lastBig = Number.NEGATIVE_INFINITY;
        for (const next of steps) {
          if (next.kind === "join") {
            // Joins go through the one test of "full".
            if (!isFull(config, members)) members += 1;
          } else if (next.kind === "leave") {
            members = Math.max(0, members - 1);
          } else {
            // The room looks again when its alarm rings, at the hold's end or later.
            const due = callModeDueAt(record);
            now += next.ms;
            if (due !== null && due > now) continue;
          }
          const before = record.mode;
          record = nextCallMode(record, members, now, config);
          if (members > meshLimit(config) && config.sfu) lastBig = now;
          expect(members).toBeLessThanOrEqual(capacity(config));
          if (!config.sfu) expect(record).toEqual(MESH);
          if (config.sfu && members > meshLimit(config)) expect(record.mode).toBe("sfu");
          if (before === "sfu" && record.mode === "mesh") {
            expect(now - lastBig).toBeGreaterThanOrEqual(CALL_MODE_HOLD_MS);
          }
          if (record.mode === "mesh") expect(record.smallSince).toBeUndefined();
        }
      }),
    );
  });
});
