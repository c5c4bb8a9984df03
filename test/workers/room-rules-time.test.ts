/**
 * The room's rules about leaving and time, as a pure function (durable-objects/room-rules/):
 * the resume grace, removal, liveness, idle door sockets, the purge of an empty room, and the
 * alarm that makes them happen. Everything the shell used to decide on its own is here now.
 */
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../common/close-codes";
import { HEARTBEAT_TIMEOUT_MS, LIVENESS_CHECK_MS } from "../../common/heartbeat";
import type { RoomEvent } from "../../durable-objects/room-rules/facts";
import {
  DOOR_IDLE_MS,
  EMPTY_ROOM_PURGE_MS,
  MAX_DOOR_SOCKETS_PER_CLIENT,
  RESUME_GRACE_MS,
} from "../../durable-objects/room-rules/limits";
import {
  ada,
  bo,
  broadcast,
  cy,
  decideNow,
  frame,
  heardBy,
  LOCK,
  ofKind,
  questionOf,
  roomFacts,
} from "./support/room-facts";

const NOW = 1_000_000;
const alarm: RoomEvent = { kind: "alarm" };
const departure = (socket: number, code: number): RoomEvent => ({ kind: "departure", socket, code });
const alarmAt = (effects: ReturnType<typeof decideNow>) => ofKind(effects, "alarm").at(-1)?.at;

describe("resume grace", () => {
  it("keeps a dropped member's place, unseen by the others, until the grace ends", () => {
    const effects = decideNow(roomFacts({ connected: [ada, bo] }), departure(1, 1006));
    expect(broadcast(effects)).toEqual([]);
    expect(ofKind(effects, "store")).toEqual([
      { kind: "store", key: `member:${bo.id}`, value: { member: bo, seq: 2, until: NOW + RESUME_GRACE_MS } },
    ]);
    expect(ofKind(effects, "attach")).toEqual([
      { kind: "attach", socket: 1, attachment: expect.objectContaining({ member: bo, departed: true }) },
    ]);
    // Ada's next liveness check comes before Bo's grace ends.
    expect(alarmAt(effects)).toBe(Math.min(NOW + LIVENESS_CHECK_MS, NOW + RESUME_GRACE_MS));
  });

  it("tells the others at once when someone leaves deliberately, and ends the identity", () => {
    for (const code of [CloseCode.normal, 1005, CloseCode.goingAway, CloseCode.removed]) {
      const effects = decideNow(roomFacts({ connected: [ada, bo] }), departure(1, code));
      expect(broadcast(effects)).toEqual([{ type: "peer-left", id: bo.id }]);
      expect(ofKind(effects, "delete")).toContainEqual({ kind: "delete", keys: [`member:${bo.id}`] });
    }
  });

  it("handles a departure once: a socket the room is done with changes nothing when it closes", () => {
    const facts = roomFacts({ connected: [ada, bo], noRecords: true });
    const done = {
      ...facts,
      sockets: [facts.sockets[0]!, { attachment: { ...facts.sockets[1]!.attachment, departed: true } }],
    };
    expect(questionOf(done, departure(1, 1000))).toBeNull();
    expect(decideNow(done, departure(1, 1000))).toEqual([]);
  });

  it("ends an away identity when its grace runs out, and not before", () => {
    const away = { connected: [ada], away: [{ member: bo, until: NOW + 1 }] };
    const before = decideNow(roomFacts(away), alarm);
    expect(broadcast(before)).toEqual([]);
    expect(alarmAt(before)).toBe(NOW + 1);
    const after = decideNow(roomFacts({ ...away, now: NOW + 1 }), alarm);
    expect(broadcast(after)).toEqual([{ type: "peer-left", id: bo.id }]);
    expect(ofKind(after, "delete")).toContainEqual({ kind: "delete", keys: [`member:${bo.id}`] });
  });

  it("gives an identity that lost its socket in a restart the usual grace", () => {
    const effects = decideNow(roomFacts({ connected: [ada], away: [{ member: bo, until: null }] }), alarm);
    expect(broadcast(effects)).toEqual([]);
    expect(ofKind(effects, "store")).toContainEqual({
      kind: "store",
      key: `member:${bo.id}`,
      value: { member: bo, seq: 2, until: NOW + RESUME_GRACE_MS },
    });
  });

  it("replaces the older socket of a member who resumes before it noticed its own death", () => {
    // Bo is still connected on socket 1 when Bo's new socket (2) resumes.
    const facts = roomFacts({
      connected: [ada, bo],
      doors: [{ client: "x", since: 0 }],
      answers: { resumeTokenValid: true, ice: { iceServers: [], iceTransportPolicy: "all", expiresAt: null } },
    });
    const withToken = { ...facts, answers: { ...facts.answers, resumeToken: { id: bo.id, token: "t" } } };
    const effects = decideNow(withToken, frame(2, { type: "join", name: "Bo", resume: { id: bo.id, token: "t" } }));
    expect(ofKind(effects, "close")).toEqual([
      { kind: "close", socket: 1, code: CloseCode.replaced, reason: "Replaced by a newer connection." },
    ]);
    expect(broadcast(effects)).toEqual([{ type: "peer-joined", peer: { id: bo.id, name: "Bo" } }]);
    expect(heardBy(effects, 2)[0]).toMatchObject({ type: "welcome", id: bo.id, peers: [ada] });
  });
});

describe("removal", () => {
  it("removes a connected member: told why, closed, gone for good, and everyone else told at once", () => {
    const effects = decideNow(roomFacts({ connected: [ada, bo, cy] }), frame(0, { type: "kick", id: bo.id }));
    expect(heardBy(effects, 1)).toEqual([{ type: "removed", by: "Ada", byId: ada.id }]);
    expect(ofKind(effects, "close")).toEqual([
      { kind: "close", socket: 1, code: CloseCode.removed, reason: "You were removed from the call." },
    ]);
    expect(ofKind(effects, "delete")).toContainEqual({ kind: "delete", keys: [`member:${bo.id}`] });
    expect(ofKind(effects, "broadcast")).toEqual([
      { kind: "broadcast", except: bo.id, message: { type: "peer-left", id: bo.id } },
    ]);
    // Its close, when it comes, is no second departure.
    expect(ofKind(effects, "attach")).toContainEqual(
      expect.objectContaining({ socket: 1, attachment: expect.objectContaining({ departed: true }) }),
    );
  });

  it("removes a member who is away within the grace period, whom nothing else would announce", () => {
    const effects = decideNow(
      roomFacts({ connected: [ada], away: [{ member: bo, until: NOW + 5_000 }] }),
      frame(0, { type: "kick", id: bo.id }),
    );
    expect(ofKind(effects, "close")).toEqual([]);
    expect(broadcast(effects)).toEqual([{ type: "peer-left", id: bo.id }]);
    expect(ofKind(effects, "delete")).toContainEqual({ kind: "delete", keys: [`member:${bo.id}`] });
  });

  it("refuses to remove oneself, strangers, or anyone on behalf of an outsider", () => {
    const facts = roomFacts({ connected: [ada, bo], doors: [{ client: "x", since: 0 }] });
    expect(heardBy(decideNow(facts, frame(0, { type: "kick", id: ada.id })), 0)).toMatchObject([
      { code: "unknown-peer" },
    ]);
    expect(heardBy(decideNow(facts, frame(0, { type: "kick", id: cy.id })), 0)).toMatchObject([
      { code: "unknown-peer" },
    ]);
    expect(heardBy(decideNow(facts, frame(2, { type: "kick", id: bo.id })), 2)).toMatchObject([{ code: "not-joined" }]);
  });

  it("lets a removed identity's resume token bring back nobody: it is an ordinary join", () => {
    // Bo was removed: no identity. A valid token for Bo then meets a locked room.
    const facts = roomFacts({
      connected: [ada],
      doors: [{ client: "x", since: 0 }],
      records: { lock: LOCK },
      answers: { resumeTokenValid: true },
    });
    expect(
      heardBy(decideNow(facts, frame(1, { type: "join", name: "Bo", resume: { id: bo.id, token: "t" } })), 1),
    ).toEqual([{ type: "denied", reason: "locked" }]);
  });
});

describe("liveness", () => {
  it("times out a member whose heartbeat went silent, and tells the others", () => {
    const facts = roomFacts({ connected: [ada, bo], since: NOW - 60_000, heartbeats: [1_000, HEARTBEAT_TIMEOUT_MS] });
    const effects = decideNow(facts, alarm);
    expect(ofKind(effects, "close")).toEqual([
      { kind: "close", socket: 1, code: CloseCode.timedOut, reason: "No heartbeat: the connection was lost." },
    ]);
    expect(broadcast(effects)).toEqual([{ type: "peer-left", id: bo.id }]);
    expect(ofKind(effects, "delete")).toContainEqual({ kind: "delete", keys: [`member:${bo.id}`] });
    expect(alarmAt(effects)).toBe(NOW + LIVENESS_CHECK_MS);
  });

  it("counts silence from admission for a member who has not sent a heartbeat yet", () => {
    const fresh = roomFacts({ connected: [ada], since: NOW - HEARTBEAT_TIMEOUT_MS + 1, heartbeats: [null] });
    expect(ofKind(decideNow(fresh, alarm), "close")).toEqual([]);
    const silent = roomFacts({ connected: [ada], since: NOW - HEARTBEAT_TIMEOUT_MS, heartbeats: [null] });
    expect(ofKind(decideNow(silent, alarm), "close")).toMatchObject([{ socket: 0, code: CloseCode.timedOut }]);
  });
});

describe("the door", () => {
  it("closes sockets that idled at the door, and only those", () => {
    const doors = [
      { client: "x", since: NOW - DOOR_IDLE_MS },
      { client: "y", since: NOW - DOOR_IDLE_MS + 1 },
    ];
    const effects = decideNow(roomFacts({ connected: [ada], doors }), alarm);
    expect(ofKind(effects, "close")).toEqual([
      { kind: "close", socket: 1, code: CloseCode.idle, reason: "Not joined in time; reconnect to join." },
    ]);
    expect(alarmAt(effects)).toBe(NOW + 1);
  });

  it("makes room for a new socket by closing the same client's oldest at the door, then accepts it", () => {
    const doors = Array.from({ length: MAX_DOOR_SOCKETS_PER_CLIENT }, (_, i) => ({
      client: "x",
      since: NOW - 100 + i,
    }));
    const effects = decideNow(roomFacts({ doors }), { kind: "open", client: "x" });
    expect(ofKind(effects, "close")).toMatchObject([{ socket: 0, code: CloseCode.idle }]);
    expect(ofKind(effects, "accept")).toEqual([
      { kind: "accept", attachment: { member: null, client: "x", doorSince: NOW } },
    ]);
    expect(alarmAt(effects)).toBe(NOW - 99 + DOOR_IDLE_MS);
  });
});

describe("purge", () => {
  it("notes when the room became empty, and wakes to forget it EMPTY_ROOM_PURGE_MS later", () => {
    const effects = decideNow(roomFacts({ connected: [ada] }), departure(0, CloseCode.normal));
    expect(ofKind(effects, "store")).toContainEqual({ kind: "store", key: "emptySince", value: NOW });
    expect(alarmAt(effects)).toBe(NOW + EMPTY_ROOM_PURGE_MS);
  });

  it("forgets everything once the room has been empty long enough", () => {
    const empty = { records: { lock: LOCK, emptySince: NOW - EMPTY_ROOM_PURGE_MS } };
    expect(ofKind(decideNow(roomFacts(empty), alarm), "delete-all")).toHaveLength(1);
    const early = decideNow(roomFacts({ records: { lock: LOCK, emptySince: NOW - EMPTY_ROOM_PURGE_MS + 1 } }), alarm);
    expect(ofKind(early, "delete-all")).toEqual([]);
    expect(alarmAt(early)).toBe(NOW + 1);
  });

  it("keeps the data while anyone may come back, and forgets the empty mark when someone is in", () => {
    const away = roomFacts({
      away: [{ member: bo, until: NOW + 5_000 }],
      records: { emptySince: NOW - EMPTY_ROOM_PURGE_MS },
    });
    const effects = decideNow(away, alarm);
    expect(ofKind(effects, "delete-all")).toEqual([]);
    expect(ofKind(effects, "delete")).toContainEqual({ kind: "delete", keys: ["emptySince"] });
  });
});
