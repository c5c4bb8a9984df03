/**
 * Attacks on the room's access rules (issue #11), each through the real Worker and Room
 * in workerd with real WebSockets: someone who should be out tries to get or stay in,
 * or to wear the room down for the people inside.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RESUME_GRACE_MS, type Room } from "../../durable-objects/room";
import { offer, RoomClient, randomRoom } from "./support/room-client";

const KEY = "correct horse battery staple";
const stubFor = (room: string) => env.ROOM.get(env.ROOM.idFromName(room));

async function advanceClock(room: string, ms: number) {
  await runInDurableObject(stubFor(room), (instance: Room) => {
    const before = instance.now;
    instance.now = () => before() + ms;
  });
}

/** Ada and Bo in an open room. */
async function pair() {
  const room = randomRoom();
  const { client: ada } = await RoomClient.join(room, "Ada");
  const { client: bo } = await RoomClient.join(room, "Bo");
  await ada.next("peer-joined");
  return { room, ada, bo };
}

async function lock(ada: RoomClient, ...others: RoomClient[]) {
  ada.send({ type: "lock", key: KEY });
  await ada.next("locked");
  for (const other of others) await other.next("locked");
}

/** Comes back as `old` with its resume token and returns the room's first answer. */
async function comeBackAs(room: string, old: RoomClient, name: string) {
  const client = await RoomClient.connect(room);
  client.send({ type: "join", name, resume: { id: old.id, token: old.resumeToken } });
  return { client, reply: await client.next() };
}

/** Messages the room sends `client` in answer to what it sent, up to a barrier: proves what arrived and what did not. */
async function drain(client: RoomClient) {
  client.send("barrier (not json)");
  const seen = [];
  for (;;) {
    const message = await client.next();
    if (message.type === "error" && message.code === "bad-json") return seen;
    seen.push(message);
  }
}

describe("1. a resume token is no key to a locked room", () => {
  it("does not let someone who left deliberately back in after the room was locked", async () => {
    const { room, ada, bo } = await pair();
    bo.close();
    await ada.next("peer-left");
    await lock(ada);
    const { reply } = await comeBackAs(room, bo, "Bo");
    expect(reply).toEqual({ type: "denied", reason: "locked" });
  });

  it("does not honour a token whose grace period ran out", async () => {
    const { room, ada, bo } = await pair();
    await lock(ada, bo);
    bo.ws.close(4000, "network drop");
    await ada.expectNothingPending();
    await advanceClock(room, RESUME_GRACE_MS);
    await ada.heartbeat();
    await runDurableObjectAlarm(stubFor(room));
    expect(await ada.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });
    const { reply } = await comeBackAs(room, bo, "Bo");
    expect(reply).toEqual({ type: "denied", reason: "locked" });
  });

  it("does not honour the old id of a reload, again and again", async () => {
    const { room, ada, bo } = await pair();
    // A reload: the page goes away (1001) and joins afresh with a new id, while the room is open.
    bo.ws.close(1001, "reload");
    await ada.next("peer-left");
    const { client: bo2 } = await RoomClient.join(room, "Bo");
    await ada.next("peer-joined");
    await lock(ada, bo2);
    for (let n = 0; n < 3; n++) {
      const { reply } = await comeBackAs(room, bo, "Bo");
      expect(reply).toEqual({ type: "denied", reason: "locked" });
    }
  });

  it("still takes a member back into a locked room within the grace period", async () => {
    const { room, ada, bo } = await pair();
    await lock(ada, bo);
    bo.ws.close(4000, "network drop");
    await ada.expectNothingPending();
    const { reply } = await comeBackAs(room, bo, "Bo");
    expect(reply).toMatchObject({ type: "welcome", id: bo.id, lock: { by: "Ada" } });
  });
});

describe("2. removing someone whose socket is away", () => {
  it("tells everyone at once, and their token never works again", async () => {
    const { room, ada, bo } = await pair();
    const { client: cy } = await RoomClient.join(room, "Cy");
    await ada.next("peer-joined");
    await bo.next("peer-joined");
    bo.ws.close(4000, "network drop");
    await ada.expectNothingPending();

    ada.send({ type: "kick", id: bo.id });
    expect(await drain(ada)).toEqual([{ type: "peer-left", id: bo.id }]);
    expect(await cy.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });

    // Signals to the removed peer go nowhere; the room is open, yet the token gives no way back as Bo.
    ada.signal(bo.id, offer);
    expect(await ada.next("error")).toMatchObject({ code: "unknown-peer" });
    const { reply } = await comeBackAs(room, bo, "Bo");
    expect(reply).toMatchObject({ type: "welcome" });
    expect(reply.type === "welcome" && reply.id).not.toBe(bo.id);
  });

  it("tells everyone once when the removed peer's socket is connected", async () => {
    const { room, ada, bo } = await pair();
    const { client: cy } = await RoomClient.join(room, "Cy");
    await ada.next("peer-joined");
    await bo.next("peer-joined");
    ada.send({ type: "kick", id: bo.id });
    expect(await bo.next("removed")).toEqual({ type: "removed", by: "Ada" });
    expect((await bo.waitForClose()).code).toBe(4003);
    expect(await drain(ada)).toEqual([{ type: "peer-left", id: bo.id }]);
    expect(await drain(cy)).toEqual([{ type: "peer-left", id: bo.id }]);
    const { reply } = await comeBackAs(room, bo, "Bo");
    expect(reply.type === "welcome" && reply.id).not.toBe(bo.id);
  });
});
