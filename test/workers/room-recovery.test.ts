import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../common/close-codes";
import { HEARTBEAT_TIMEOUT_MS } from "../../common/heartbeat";
import type { Room } from "../../durable-objects/room";
import { DEFAULT_MAX_PEERS, MAX_DOOR_SOCKETS, RESUME_GRACE_MS } from "../../durable-objects/room-rules/limits";
import {
  advanceClock,
  offer,
  pair,
  RoomClient,
  randomRoom,
  roomPathOf,
  roomStub,
  upgrade,
} from "./support/room-client";

const stubFor = roomStub;

/** Reconnects as `old` with its resume token, the way the client does after a drop. */
async function resumeAs(room: string, old: RoomClient, name: string) {
  const client = await RoomClient.connect(room);
  client.send({ type: "join", name, resume: { id: old.id, token: old.resumeToken } });
  const welcome = await client.next("welcome");
  client.id = welcome.id;
  client.resumeToken = welcome.resumeToken;
  return { client, welcome };
}

describe("ICE servers from the room", () => {
  it("come with the welcome, for admitted peers only, and can be refreshed", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const welcome = ada.received.find((m) => m.type === "welcome");
    expect(welcome?.type === "welcome" && welcome.ice).toEqual({
      iceServers: [{ urls: ["stun:stun.cloudflare.com:3478"] }],
      iceTransportPolicy: "all",
      expiresAt: null,
    });
    ada.send({ type: "refresh-ice" });
    expect(await ada.next("ice")).toMatchObject({ ice: { iceServers: [{ urls: ["stun:stun.cloudflare.com:3478"] }] } });

    const stranger = await RoomClient.connect(room);
    stranger.send({ type: "refresh-ice" });
    expect(await stranger.next("error")).toMatchObject({ code: "not-joined" });
  });
});

describe("resuming after a dropped socket", () => {
  it("keeps the peer's identity with no leave for the others, and signals flow again", async () => {
    const { room, ada, bo } = await pair();
    // 4000: an abnormal close, as when the network drops (not a deliberate leave).
    bo.ws.close(4000, "network drop");
    await ada.expectNothingPending();

    const { client: bo2, welcome } = await resumeAs(room, bo, "Bo");
    expect(welcome.id).toBe(bo.id);
    expect(welcome.peers).toEqual([{ id: ada.id, name: "Ada" }]);
    // A known id: "still here", not a new person (the client keeps its connection).
    expect(await ada.next("peer-joined")).toEqual({ type: "peer-joined", peer: { id: bo.id, name: "Bo" } });

    ada.signal(bo.id, offer);
    expect(await bo2.next("signal")).toEqual({ type: "signal", from: ada.id, data: offer });
    await ada.expectNothingPending();
  });

  it("takes over from an old socket that has not noticed it is dead", async () => {
    const { room, ada, bo } = await pair();
    const { client: bo2 } = await resumeAs(room, bo, "Bo");
    expect((await bo.waitForClose()).code).toBe(4001);
    await ada.next("peer-joined");
    await ada.expectNothingPending();
    bo2.signal(ada.id, offer);
    expect(await ada.next("signal")).toEqual({ type: "signal", from: bo.id, data: offer });
  });

  it("brings everyone back as themselves after the room closes all sockets", async () => {
    const { room, ada, bo } = await pair();
    await evictDurableObject(stubFor(room), { webSockets: "close" });
    await ada.waitForClose();
    await bo.waitForClose();

    const { client: ada2, welcome: adaBack } = await resumeAs(room, ada, "Ada");
    expect(adaBack.id).toBe(ada.id);
    const { welcome: boBack } = await resumeAs(room, bo, "Bo");
    expect(boBack.id).toBe(bo.id);
    expect(boBack.peers).toEqual([{ id: ada.id, name: "Ada" }]);
    expect(await ada2.next("peer-joined")).toEqual({ type: "peer-joined", peer: { id: bo.id, name: "Bo" } });
  });

  it("treats a forged or foreign token as an ordinary join", async () => {
    const { room, ada, bo } = await pair();
    const mallory = await RoomClient.connect(room);
    mallory.send({ type: "join", name: "Mallory", resume: { id: bo.id, token: ada.resumeToken } });
    const welcome = await mallory.next("welcome");
    expect(welcome.id).not.toBe(bo.id);
    expect(welcome.peers.map((p) => p.name)).toEqual(["Ada", "Bo"]);
    // Bo's real socket was not touched.
    ada.signal(bo.id, offer);
    expect(await bo.next("peer-joined")).toMatchObject({ peer: { name: "Mallory" } });
    expect(await bo.next("signal")).toMatchObject({ from: ada.id });
  });

  it("does not let a removed peer back in with its token", async () => {
    const { room, ada, bo } = await pair();
    ada.send({ type: "lock", key: "a strong key" });
    await bo.next("locked");
    ada.send({ type: "kick", id: bo.id });
    await bo.waitForClose();
    const again = await RoomClient.connect(room);
    again.send({ type: "join", name: "Bo", resume: { id: bo.id, token: bo.resumeToken } });
    expect(await again.next("denied")).toEqual({ type: "denied", reason: "locked" });
  });

  it("announces the peer as gone when it does not come back within the grace period", async () => {
    const { room, ada, bo } = await pair();
    bo.ws.close(4000, "network drop");
    await ada.expectNothingPending();
    await advanceClock(room, RESUME_GRACE_MS);
    await ada.heartbeat();
    await runDurableObjectAlarm(stubFor(room));
    expect(await ada.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });
  });
});

describe("liveness", () => {
  it("drops a peer that stopped sending heartbeats, and keeps one that did not", async () => {
    const { room, ada, bo } = await pair();
    await advanceClock(room, HEARTBEAT_TIMEOUT_MS);
    await ada.heartbeat();
    await runDurableObjectAlarm(stubFor(room));
    expect((await bo.waitForClose()).code).toBe(4008);
    expect(await ada.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });
    expect(ada.closed).toBeNull();
  });

  it("checks only while someone is in the room", async () => {
    const { room, ada, bo } = await pair();
    const stub = stubFor(room);
    const inCall = await runInDurableObject(stub, (_i: Room, state) => state.storage.getAlarm());
    expect(inCall).not.toBeNull();
    ada.close();
    bo.close();
    await ada.waitForClose();
    await bo.waitForClose();
    // With nobody left, the only alarm is the purge of the empty room, ten minutes out.
    await expect
      .poll(async () => {
        const at = await runInDurableObject(stub, (_i: Room, state) => state.storage.getAlarm());
        return (at ?? 0) - Date.now();
      })
      .toBeGreaterThan(9 * 60 * 1000);
  });
});

describe("capacity", () => {
  it(`refuses joiner number ${DEFAULT_MAX_PEERS + 1} with "full", without half-joining them`, async () => {
    const room = randomRoom();
    const inside: RoomClient[] = [];
    for (let n = 0; n < DEFAULT_MAX_PEERS; n++) inside.push((await RoomClient.join(room, `P${n}`)).client);
    const late = await RoomClient.connect(room);
    late.send({ type: "join", name: "Late" });
    expect(await late.next("denied")).toEqual({ type: "denied", reason: "full" });
    late.send({ type: "signal", to: inside[0]!.id, data: offer });
    expect(await late.next("error")).toMatchObject({ code: "not-joined" });

    // When someone leaves, there is room again.
    inside[0]!.close();
    await inside[1]!.next("peer-joined");
    await expect.poll(() => inside[1]!.received.some((m) => m.type === "peer-left")).toBe(true);
    late.send({ type: "join", name: "Late" });
    expect((await late.next("welcome")).peers).toHaveLength(DEFAULT_MAX_PEERS - 1);
  });
});

describe("socket cap", () => {
  it("keeps at most a dozen sockets at the door, closing the oldest for a newcomer instead of refusing it", async () => {
    const room = randomRoom();
    const open: RoomClient[] = [];
    for (let n = 0; n < MAX_DOOR_SOCKETS; n++) open.push(await RoomClient.connect(room));
    expect(open.every((c) => c.closed === null)).toBe(true);
    const response = await upgrade(await roomPathOf(room));
    expect(response.status).toBe(101);
    expect((await open[0]!.waitForClose()).code).toBe(CloseCode.idle);
    expect(open.slice(1).every((c) => c.closed === null)).toBe(true);
  });
});
