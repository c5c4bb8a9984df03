import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PING, PONG } from "../../common/heartbeat";
import type { Room } from "../../durable-objects/room";
import { RESUME_GRACE_MS } from "../../durable-objects/room-rules/limits";
import { answer, candidate, offer, RoomClient, randomRoom, roomStub } from "./support/room-client";

const stubFor = roomStub;

describe("joining and leaving", () => {
  it("welcomes a newcomer with everyone already inside and announces them", async () => {
    const room = randomRoom();
    const { client: ada, peers: adaSaw } = await RoomClient.join(room, "Ada");
    expect(adaSaw).toEqual([]);
    expect(ada.id).toMatch(/^[0-9a-f]{32}$/);

    const { client: bo, peers: boSaw } = await RoomClient.join(room, "Bo");
    expect(boSaw).toEqual([{ id: ada.id, name: "Ada" }]);
    expect(await ada.next("peer-joined")).toEqual({ type: "peer-joined", peer: { id: bo.id, name: "Bo" } });

    const { client: cy, peers: cySaw } = await RoomClient.join(room, "Cy");
    expect(cySaw).toEqual([
      { id: ada.id, name: "Ada" },
      { id: bo.id, name: "Bo" },
    ]);
    expect((await ada.next("peer-joined")).peer.id).toBe(cy.id);
    expect((await bo.next("peer-joined")).peer.id).toBe(cy.id);
  });

  it("trims display names and gives every join a distinct id", async () => {
    const room = randomRoom();
    const { client: a } = await RoomClient.join(room, "  Same  ");
    const { client: b, peers } = await RoomClient.join(room, "Same");
    expect(peers).toEqual([{ id: a.id, name: "Same" }]);
    expect(a.id).not.toBe(b.id);
  });

  it("tells the others when someone leaves, and forgets them", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    await ada.next("peer-joined");

    bo.close();
    expect(await ada.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });

    const { peers } = await RoomClient.join(room, "Cy");
    expect(peers.map((p) => p.name)).toEqual(["Ada"]);
  });

  it("removes a peer whose connection fails without a close frame once it has had time to resume", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    await ada.next("peer-joined");

    // workerd reports a connection lost without a close frame through webSocketError;
    // deliver exactly that event for Bo's server-side socket.
    await runInDurableObject(stubFor(room), async (instance: Room, state) => {
      const socket = state.getWebSockets().find((ws) => JSON.stringify(ws.deserializeAttachment()).includes(bo.id));
      if (!socket) throw new Error("Bo's socket not found");
      await instance.webSocketError(socket, new Error("connection reset"));
    });
    // Bo keeps its place for a while, in case it reconnects...
    await ada.expectNothingPending();
    // ...and is gone for good once that grace has passed (Ada, alive, keeps her heartbeat up).
    await runInDurableObject(stubFor(room), (instance: Room) => {
      const before = instance.now;
      instance.now = () => before() + RESUME_GRACE_MS;
    });
    await ada.heartbeat();
    await runDurableObjectAlarm(stubFor(room));
    expect(await ada.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });

    // Bo's later close does not announce the departure a second time.
    bo.close();
    await ada.expectNothingPending();
    const { peers } = await RoomClient.join(room, "Cy");
    expect(peers.map((p) => p.name)).toEqual(["Ada"]);
  });

  it("answers the heartbeat", async () => {
    const client = await RoomClient.connect(randomRoom());
    client.send(PING);
    // The auto-response is not JSON-parsed by the protocol; compare the raw text.
    const raw = await new Promise<string>((resolve) =>
      client.ws.addEventListener("message", (e) => resolve(String(e.data)), { once: true }),
    );
    expect(raw).toBe(PONG);
  });
});

describe("signal relay", () => {
  it("delivers a signal only to its target, with `from` set by the room", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    const { client: cy } = await RoomClient.join(room, "Cy");
    await ada.next("peer-joined");
    await ada.next("peer-joined");
    await bo.next("peer-joined");

    ada.signal(bo.id, offer);
    expect(await bo.next("signal")).toEqual({ type: "signal", from: ada.id, data: offer });
    bo.signal(ada.id, answer);
    expect(await ada.next("signal")).toEqual({ type: "signal", from: bo.id, data: answer });

    await cy.expectNothingPending();
  });

  it("relays SFU mode's end-to-end messages (sealed chat) unread to their one target, and refuses malformed ones", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    const { client: cy } = await RoomClient.join(room, "Cy");
    await ada.next("peer-joined");
    await ada.next("peer-joined");
    await bo.next("peer-joined");

    // The room sees only base64url: what it relays is exactly what Ada sealed for Bo.
    const sealed = { e2ee: { kind: "chat", v: 1, seq: 0, iv: "AAECAwQFBgcICQoL", box: "q83vASNFZ4mrze8BI0VniQ" } };
    ada.send({ type: "signal", to: bo.id, data: sealed });
    expect(await bo.next("signal")).toEqual({ type: "signal", from: ada.id, data: sealed });

    for (const e2ee of [
      { ...sealed.e2ee, box: "not base64url!" },
      { ...sealed.e2ee, box: "A".repeat(24_001) },
      { ...sealed.e2ee, seq: -1 },
      { ...sealed.e2ee, text: "in the clear" },
    ]) {
      ada.send({ type: "signal", to: bo.id, data: { e2ee } });
      expect(await ada.next("error")).toMatchObject({ code: "bad-message" });
    }
    await bo.expectNothingPending();
    await cy.expectNothingPending();
  });

  it("keeps signals in order", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    await ada.next("peer-joined");
    for (let n = 0; n < 20; n++) ada.signal(bo.id, candidate(n));
    for (let n = 0; n < 20; n++) expect((await bo.next("signal")).data).toEqual(candidate(n));
  });

  it("never reaches another room, even with a peer id from that room", async () => {
    const [roomA, roomB] = [randomRoom(), randomRoom()];
    const { client: ada } = await RoomClient.join(roomA, "Ada");
    const { client: eve } = await RoomClient.join(roomB, "Eve");

    ada.signal(eve.id, offer);
    expect(await ada.next("error")).toMatchObject({ code: "unknown-peer" });
    await eve.expectNothingPending();
  });

  it("refuses a forged `from` and signals to oneself", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    await ada.next("peer-joined");

    ada.send({ type: "signal", to: bo.id, from: bo.id, data: offer });
    expect(await ada.next("error")).toMatchObject({ code: "bad-message", message: expect.stringContaining("from") });
    ada.signal(ada.id, offer);
    expect(await ada.next("error")).toMatchObject({ code: "unknown-peer" });
    await bo.expectNothingPending();
  });
});

describe("hibernation", () => {
  it("keeps the call going after the object is evicted mid-call", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    await ada.next("peer-joined");

    await evictDurableObject(stubFor(room));

    const { client: cy, peers } = await RoomClient.join(room, "Cy");
    expect(peers).toEqual([
      { id: ada.id, name: "Ada" },
      { id: bo.id, name: "Bo" },
    ]);
    expect((await ada.next("peer-joined")).peer.id).toBe(cy.id);
    expect((await bo.next("peer-joined")).peer.id).toBe(cy.id);

    ada.signal(bo.id, offer);
    expect(await bo.next("signal")).toEqual({ type: "signal", from: ada.id, data: offer });
    cy.signal(ada.id, candidate(1));
    expect(await ada.next("signal")).toEqual({ type: "signal", from: cy.id, data: candidate(1) });

    await evictDurableObject(stubFor(room));
    bo.close();
    expect(await ada.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });
    expect(await cy.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });
  });
});

describe("peer state", () => {
  it("relays a rename and media changes to everyone, and shows them to later joiners", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    await ada.next("peer-joined");

    bo.send({ type: "state", name: "Bo B.", audio: false, video: true });
    const expected = { type: "peer-state", peer: { id: bo.id, name: "Bo B.", audio: false, video: true } };
    expect(await ada.next("peer-state")).toEqual(expected);
    expect(await bo.next("peer-state")).toEqual(expected);

    bo.send({ type: "state", screen: true });
    expect((await ada.next("peer-state")).peer).toEqual({
      id: bo.id,
      name: "Bo B.",
      audio: false,
      video: true,
      screen: true,
    });

    const { peers } = await RoomClient.join(room, "Cy");
    expect(peers).toEqual([
      { id: ada.id, name: "Ada" },
      { id: bo.id, name: "Bo B.", audio: false, video: true, screen: true },
    ]);
  });

  it("refuses state from outsiders and bad names", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const outsider = await RoomClient.connect(room);
    outsider.send({ type: "state", audio: false });
    expect(await outsider.next("error")).toMatchObject({ code: "not-joined" });
    ada.send({ type: "state", name: "" });
    expect(await ada.next("error")).toMatchObject({ code: "bad-message", message: expect.stringContaining("name") });
    ada.send({ type: "state", audio: "yes" });
    expect(await ada.next("error")).toMatchObject({ code: "bad-message", message: expect.stringContaining("audio") });
  });
});
