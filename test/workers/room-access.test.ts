import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PBKDF2_ITERATIONS } from "../../durable-objects/lock-key";
import type { Room } from "../../durable-objects/room";
import { FREE_TRIES } from "../../durable-objects/room-rules/guess-throttle";
import { EMPTY_ROOM_PURGE_MS, KNOCK_LAPSE_MS, MAX_PENDING_KNOCKS } from "../../durable-objects/room-rules/limits";
import { offer, RoomClient, randomRoom, roomStub } from "./support/room-client";

const KEY = "correct horse battery staple";
const stubFor = roomStub;

/** A locked room with Ada (who locked it) and Bo inside. */
async function lockedRoom() {
  const room = randomRoom();
  const { client: ada } = await RoomClient.join(room, "Ada");
  const { client: bo } = await RoomClient.join(room, "Bo");
  await ada.next("peer-joined");
  ada.send({ type: "lock", key: KEY });
  expect(await ada.next("locked")).toEqual({ type: "locked", by: "Ada", byId: ada.id });
  expect(await bo.next("locked")).toEqual({ type: "locked", by: "Ada", byId: ada.id });
  return { room, ada, bo };
}

async function tryKey(room: string, key: string | undefined) {
  const client = await RoomClient.connect(room);
  client.send({ type: "join", name: "Visitor", ...(key === undefined ? {} : { key }) });
  return { client, reply: await client.next() };
}

/** Moves the room's clock forward, as if `ms` had passed. */
async function advanceClock(room: string, ms: number) {
  await runInDurableObject(stubFor(room), (instance: Room) => {
    const before = instance.now;
    instance.now = () => before() + ms;
  });
}

describe("locking", () => {
  it("tells everyone inside who locked the room, and who unlocked it", async () => {
    const { room, ada, bo } = await lockedRoom();
    bo.send({ type: "unlock" });
    expect(await ada.next("unlocked")).toEqual({ type: "unlocked", by: "Bo", byId: bo.id });
    expect(await bo.next("unlocked")).toEqual({ type: "unlocked", by: "Bo", byId: bo.id });
    const { peers } = await RoomClient.join(room, "Cy");
    expect(peers.map((p) => p.name)).toEqual(["Ada", "Bo"]);
  });

  it("tells an outsider without the key that the room is locked, and nothing else", async () => {
    const { room, ada, bo } = await lockedRoom();
    const { client: outsider, reply } = await tryKey(room, undefined);
    expect(reply).toEqual({ type: "denied", reason: "locked" });

    // While the members talk and someone else joins with the key, the outsider hears nothing.
    ada.signal(bo.id, offer);
    await bo.next("signal");
    const { reply: welcome } = await tryKey(room, KEY);
    expect(welcome).toMatchObject({ type: "welcome", lock: { by: "Ada", byId: ada.id } });
    await ada.next("peer-joined");
    outsider.send({ type: "signal", to: ada.id, data: offer });
    expect(await outsider.next("error")).toMatchObject({ code: "not-joined" });
    await outsider.expectNothingPending();
    expect(outsider.received.map((m) => m.type)).toEqual(["denied", "error", "error"]);
  });

  it("lets the right key in, with the peers and the lock in the welcome", async () => {
    const { room, ada, bo } = await lockedRoom();
    const { client, reply } = await tryKey(room, KEY);
    expect(reply).toEqual({
      type: "welcome",
      id: expect.any(String),
      peers: [
        { id: ada.id, name: "Ada" },
        { id: bo.id, name: "Bo" },
      ],
      lock: { by: "Ada", byId: ada.id },
      ice: expect.objectContaining({ iceServers: expect.any(Array) }),
      resumeToken: expect.any(String),
    });
    expect((await ada.next("peer-joined")).peer.name).toBe("Visitor");
    expect(client.closed).toBeNull();
  });

  it("refuses a wrong key, says how many tries are left, and warns the members", async () => {
    const { room, ada, bo } = await lockedRoom();
    const { reply } = await tryKey(room, "wrong guess");
    expect(reply).toEqual({ type: "denied", reason: "wrong-key", triesLeft: FREE_TRIES - 1 });
    expect(await ada.next("key-guessed")).toEqual({ type: "key-guessed", failures: 1 });
    expect(await bo.next("key-guessed")).toEqual({ type: "key-guessed", failures: 1 });
  });

  it("refuses a key that is too short to be a lock key", async () => {
    const { ada } = await lockedRoom();
    ada.send({ type: "lock", key: "abc" });
    expect(await ada.next("error")).toMatchObject({ code: "bad-message", message: expect.stringContaining("key") });
  });

  it("never stores the key's text, and hashes with at most 100,000 PBKDF2 iterations", async () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    const { room } = await lockedRoom();
    const stored = await runInDurableObject(stubFor(room), async (_instance: Room, state) => {
      const entries = await state.storage.list();
      return JSON.stringify([...entries]);
    });
    expect(stored).toContain("salt");
    expect(stored).not.toContain(KEY);
    expect(stored).not.toContain(btoa(KEY));
  });

  it("keeps the lock through eviction and after the last person reloads", async () => {
    const { room, ada, bo } = await lockedRoom();
    bo.close();
    await ada.next("peer-left");
    ada.close();
    await ada.waitForClose();
    await evictDurableObject(stubFor(room));
    expect((await tryKey(room, undefined)).reply).toEqual({ type: "denied", reason: "locked" });
    expect((await tryKey(room, KEY)).reply).toMatchObject({ type: "welcome", lock: { by: "Ada", byId: ada.id } });
  });
});

describe("guess throttling", () => {
  it(`allows ${FREE_TRIES} wrong keys, then makes each try wait, refusing before any hashing`, async () => {
    const { room, ada } = await lockedRoom();
    for (let n = 1; n <= FREE_TRIES; n++) {
      expect((await tryKey(room, `wrong ${n}`)).reply).toMatchObject({
        reason: "wrong-key",
        triesLeft: FREE_TRIES - n,
      });
      await ada.next("key-guessed");
    }
    const checksBefore = await runInDurableObject(stubFor(room), (i: Room) => i.keyChecksSinceWake);
    for (const key of ["wrong again", KEY]) {
      const { reply } = await tryKey(room, key);
      expect(reply).toMatchObject({ type: "denied", reason: "throttled" });
      expect(reply.type === "denied" && reply.retryAfterMs).toBeGreaterThan(0);
      expect(reply.type === "denied" && reply.retryAfterMs).toBeLessThanOrEqual(1_000);
    }
    expect(await runInDurableObject(stubFor(room), (i: Room) => i.keyChecksSinceWake)).toBe(checksBefore);

    // The members are not affected: they still talk, and no more guesses were announced.
    await ada.expectNothingPending();
  });

  it("doubles the wait after each further failure, and remembers it across eviction", async () => {
    const { room } = await lockedRoom();
    for (let n = 1; n <= FREE_TRIES; n++) await tryKey(room, `wrong ${n}`);
    await advanceClock(room, 1_000);
    expect((await tryKey(room, "wrong 6")).reply).toMatchObject({ reason: "wrong-key", triesLeft: 0 });

    // Eviction also resets the moved clock, so the stored wait (2 s after a failure
    // recorded one simulated second ahead) is now up to 3 s away.
    await evictDurableObject(stubFor(room));
    const { reply } = await tryKey(room, KEY);
    expect(reply).toMatchObject({ type: "denied", reason: "throttled" });
    expect(reply.type === "denied" && reply.retryAfterMs).toBeGreaterThan(1_000);
    expect(reply.type === "denied" && reply.retryAfterMs).toBeLessThanOrEqual(3_000);

    await advanceClock(room, 3_000);
    expect((await tryKey(room, KEY)).reply).toMatchObject({ type: "welcome" });
  });

  it("still lets a throttled newcomer knock", async () => {
    const { room, ada } = await lockedRoom();
    for (let n = 1; n <= FREE_TRIES + 1; n++) await tryKey(room, `wrong ${n}`);
    const { client } = await tryKey(room, KEY);
    client.send({ type: "knock", name: "Cy" });
    expect(await client.next("knock-sent")).toEqual({ type: "knock-sent" });
    for (let n = 1; n <= FREE_TRIES; n++) await ada.next("key-guessed");
    expect(await ada.next("knocking")).toMatchObject({ name: "Cy" });
  });
});

describe("knocking", () => {
  async function knock(room: string, name: string) {
    const client = await RoomClient.connect(room);
    client.send({ type: "join", name });
    await client.next("denied");
    client.send({ type: "knock", name });
    await client.next("knock-sent");
    return client;
  }

  it("lets a member admit a knocker into the call", async () => {
    const { room, ada, bo } = await lockedRoom();
    const cy = await knock(room, "Cy");
    const asked = await ada.next("knocking");
    expect(asked.name).toBe("Cy");
    expect(await bo.next("knocking")).toEqual(asked);

    bo.send({ type: "admit", id: asked.id });
    expect(await cy.next("welcome")).toEqual({
      type: "welcome",
      id: asked.id,
      peers: [
        { id: ada.id, name: "Ada" },
        { id: bo.id, name: "Bo" },
      ],
      lock: { by: "Ada", byId: ada.id },
      ice: expect.objectContaining({ iceServers: expect.any(Array) }),
      resumeToken: expect.any(String),
    });
    for (const member of [ada, bo]) {
      expect(await member.next("peer-joined")).toEqual({ type: "peer-joined", peer: { id: asked.id, name: "Cy" } });
      expect(await member.next("knock-ended")).toEqual({ type: "knock-ended", id: asked.id, outcome: "admitted" });
    }
    cy.signal(ada.id, offer);
    expect(await ada.next("signal")).toEqual({ type: "signal", from: asked.id, data: offer });
  });

  it("tells a declined knocker, and everyone inside, that it was declined", async () => {
    const { room, ada, bo } = await lockedRoom();
    const cy = await knock(room, "Cy");
    const { id } = await ada.next("knocking");
    await bo.next("knocking");
    ada.send({ type: "deny", id });
    expect(await cy.next("denied")).toEqual({ type: "denied", reason: "knock-declined" });
    expect(await bo.next("knock-ended")).toEqual({ type: "knock-ended", id, outcome: "declined" });
    ada.send({ type: "admit", id });
    await ada.next("knock-ended");
    expect(await ada.next("error")).toMatchObject({ code: "unknown-knock" });
  });

  it("lets a knock lapse after two minutes without an answer", async () => {
    const { room, ada } = await lockedRoom();
    const cy = await knock(room, "Cy");
    const { id } = await ada.next("knocking");
    const alarmAt = await runInDurableObject(stubFor(room), (_i: Room, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();

    await advanceClock(room, KNOCK_LAPSE_MS);
    expect(await runDurableObjectAlarm(stubFor(room))).toBe(true);
    expect(await cy.next("denied")).toEqual({ type: "denied", reason: "knock-lapsed" });
    expect(await ada.next("knock-ended")).toEqual({ type: "knock-ended", id, outcome: "lapsed" });
  });

  it(`refuses more than ${MAX_PENDING_KNOCKS} pending knocks politely, like any knock limit`, async () => {
    const { room } = await lockedRoom();
    for (let n = 0; n < MAX_PENDING_KNOCKS; n++) await knock(room, `K${n}`);
    const extra = await RoomClient.connect(room);
    extra.send({ type: "knock", name: "Too many" });
    expect(await extra.next("denied")).toEqual({
      type: "denied",
      reason: "too-many-knocks",
      retryAfterMs: expect.any(Number),
    });
  });

  it("withdraws the knock when the knocker goes away", async () => {
    const { room, ada } = await lockedRoom();
    const cy = await knock(room, "Cy");
    const { id } = await ada.next("knocking");
    cy.close();
    expect(await ada.next("knock-ended")).toEqual({ type: "knock-ended", id, outcome: "withdrawn" });
  });
});

describe("removing someone", () => {
  it("closes the removed peer's socket with a clear reason and tells the others", async () => {
    const { room, ada, bo } = await lockedRoom();
    ada.send({ type: "kick", id: bo.id });
    expect(await bo.next("removed")).toEqual({ type: "removed", by: "Ada", byId: ada.id });
    const closed = await bo.waitForClose();
    expect(closed.code).toBe(4003);
    expect(closed.reason).toContain("removed");
    expect(await ada.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });
    // Locked, so the removed person cannot simply walk back in.
    expect((await tryKey(room, undefined)).reply).toEqual({ type: "denied", reason: "locked" });
  });
});

describe("lifetime", () => {
  it("forgets everything ten minutes after the room becomes empty", async () => {
    const { room, ada, bo } = await lockedRoom();
    await tryKey(room, "a wrong guess");
    await ada.next("key-guessed");
    bo.close();
    await ada.next("peer-left");
    ada.close();
    await ada.waitForClose();

    const stub = stubFor(room);
    // Wait until the room has processed both departures and scheduled its purge.
    await expect
      .poll(() => runInDurableObject(stub, (_i: Room, s) => s.storage.get("emptySince")))
      .toBeTypeOf("number");
    // A minute short of the purge (real time also passes while the test runs): nothing is forgotten yet.
    await advanceClock(room, EMPTY_ROOM_PURGE_MS - 60_000);
    await runDurableObjectAlarm(stub);
    expect(await runInDurableObject(stub, async (_i: Room, s) => (await s.storage.list()).size)).toBeGreaterThan(0);

    await advanceClock(room, 60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runInDurableObject(stub, async (_i: Room, s) => (await s.storage.list()).size)).toBe(0);
    const { reply } = await tryKey(room, undefined);
    expect(reply).toMatchObject({ type: "welcome", lock: null });
  });
});
