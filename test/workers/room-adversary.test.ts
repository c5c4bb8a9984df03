/**
 * Attacks on the room's access rules (issue #11), each through the real Worker and Room
 * in workerd with real WebSockets: someone who should be out tries to get or stay in,
 * or to wear the room down for the people inside.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../common/close-codes";
import type { Room } from "../../durable-objects/room";
import {
  DEFAULT_MAX_PEERS,
  DOOR_IDLE_MS,
  HASH_BUDGET,
  MAX_DOOR_SOCKETS_PER_CLIENT,
  MAX_PENDING_KNOCKS,
  RESUME_GRACE_MS,
} from "../../durable-objects/room-rules/limits";
import { advanceClock, offer, pair, RoomClient, randomRoom, roomStub } from "./support/room-client";

const KEY = "correct horse battery staple";
const stubFor = roomStub;

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
    expect(await bo.next("removed")).toEqual({ type: "removed", by: "Ada", byId: ada.id });
    expect((await bo.waitForClose()).code).toBe(4003);
    expect(await drain(ada)).toEqual([{ type: "peer-left", id: bo.id }]);
    expect(await drain(cy)).toEqual([{ type: "peer-left", id: bo.id }]);
    const { reply } = await comeBackAs(room, bo, "Bo");
    expect(reply.type === "welcome" && reply.id).not.toBe(bo.id);
  });
});

/** Someone outside `room` asking to be let in; waits for the room's answer to the knock. */
async function knockAs(room: string, name: string, address?: string) {
  const client = await RoomClient.connect(room, { address });
  client.send({ type: "knock", name });
  return { client, reply: await client.next() };
}

/** A locked room with Ada and Bo inside. */
async function lockedPair() {
  const { room, ada, bo } = await pair();
  await lock(ada, bo);
  return { room, ada, bo };
}

describe("5. lock spam", () => {
  it("gives lock and unlock a per-socket cooldown with a clear error, without slowing one honest lock", async () => {
    const { ada, bo } = await pair();
    ada.send({ type: "lock", key: KEY });
    ada.send({ type: "lock", key: "another key" });
    ada.send({ type: "unlock" });
    expect(await drain(ada)).toEqual([
      { type: "locked", by: "Ada", byId: ada.id },
      { type: "error", code: "lock-cooldown", message: expect.stringContaining("again") },
      { type: "error", code: "lock-cooldown", message: expect.stringContaining("again") },
    ]);
    // Someone else may still unlock at once: the cooldown is per socket.
    bo.send({ type: "unlock" });
    expect(await drain(bo)).toEqual([
      { type: "locked", by: "Ada", byId: ada.id },
      { type: "unlocked", by: "Bo", byId: bo.id },
    ]);
  });

  it("bounds how many keys the room hashes at once, for locks and guesses together", async () => {
    const room = randomRoom();
    const members: RoomClient[] = [];
    for (let n = 0; n < DEFAULT_MAX_PEERS; n++) members.push((await RoomClient.join(room, `P${n}`)).client);
    // A stopped clock: no bucket refills while the test runs, so the counts are exact.
    await runInDurableObject(stubFor(room), (instance: Room) => {
      const at = instance.now();
      instance.now = () => at;
    });
    const hashes = () => runInDurableObject(stubFor(room), (i: Room) => i.keyChecksSinceWake);
    const before = await hashes();
    const [first, ...rest] = members;
    first!.send({ type: "lock", key: KEY });
    await expect.poll(() => first!.received.some((m) => m.type === "locked")).toBe(true);
    const guesses = 3;
    for (let n = 0; n < guesses; n++) {
      const guesser = await RoomClient.connect(room);
      guesser.send({ type: "join", name: "Guess", key: `wrong ${n}` });
      expect(await guesser.next("denied")).toMatchObject({ reason: "wrong-key" });
    }
    for (const member of rest) member.send({ type: "lock", key: `${KEY} ${member.id}` });
    const refused = (await Promise.all(rest.map((m) => drain(m)))).flat().filter((m) => m.type === "error");
    expect(await hashes()).toBe(before + HASH_BUDGET.burst);
    expect(refused).toHaveLength(1 + guesses + rest.length - HASH_BUDGET.burst);
    for (const error of refused) expect(error).toMatchObject({ code: "busy", message: expect.stringContaining("try") });

    // A guess at the door shares the bucket: refused as throttled, before any hashing.
    const guesser = await RoomClient.connect(room);
    guesser.send({ type: "join", name: "Guess", key: "a wrong guess" });
    expect(await guesser.next("denied")).toEqual({
      type: "denied",
      reason: "throttled",
      retryAfterMs: expect.any(Number),
    });
    expect(await hashes()).toBe(before + HASH_BUDGET.burst);
  });
});

describe("6. knock floods", () => {
  it("lets one socket knock once, not again at once", async () => {
    const { room, ada } = await lockedPair();
    const { client, reply } = await knockAs(room, "Cy");
    expect(reply).toEqual({ type: "knock-sent" });
    client.send({ type: "knock", name: "Cy again" });
    expect(await client.next("denied")).toMatchObject({ reason: "too-many-knocks", retryAfterMs: expect.any(Number) });
    expect((await drain(ada)).filter((m) => m.type === "knocking")).toHaveLength(1);
  });

  it("bounds the knocks a room passes on per minute, whoever knocks", async () => {
    const { room, ada } = await lockedPair();
    const answers = [];
    for (let n = 0; n < 12; n++) {
      const { client, reply } = await knockAs(room, `K${n}`);
      answers.push(reply.type === "denied" ? reply.reason : reply.type);
      client.close();
      await client.waitForClose();
    }
    const prompts = (await drain(ada)).filter((m) => m.type === "knocking");
    expect(prompts.length).toBeLessThan(12);
    expect(answers.filter((a) => a === "knock-sent")).toHaveLength(prompts.length);
    expect(answers.filter((a) => a !== "knock-sent").every((a) => a === "too-many-knocks")).toBe(true);
  });

  it("holds a declined knocker off, on that socket and from that client", async () => {
    const { room, ada, bo } = await lockedPair();
    const address = "198.51.100.77";
    const { client: cy } = await knockAs(room, "Cy", address);
    const { id } = await ada.next("knocking");
    await bo.next("knocking");
    ada.send({ type: "deny", id });
    expect(await cy.next("denied")).toEqual({ type: "denied", reason: "knock-declined" });
    cy.send({ type: "knock", name: "Cy" });
    expect(await cy.next("denied")).toMatchObject({ reason: "too-many-knocks" });
    const { reply } = await knockAs(room, "Cy", address);
    expect(reply).toMatchObject({ type: "denied", reason: "too-many-knocks" });
    expect((await drain(bo)).filter((m) => m.type === "knocking")).toHaveLength(0);
  });

  it("marks a knocker who takes the name of someone inside, without telling the knocker", async () => {
    const { room, ada } = await lockedPair();
    const { reply } = await knockAs(room, " ada ");
    expect(reply).toEqual({ type: "knock-sent" });
    expect(await ada.next("knocking")).toEqual({
      type: "knocking",
      id: expect.any(String),
      name: "ada",
      nameInUse: true,
    });
    const { reply: honest } = await knockAs(room, "Cy");
    expect(honest).toEqual({ type: "knock-sent" });
    expect(await ada.next("knocking")).toEqual({ type: "knocking", id: expect.any(String), name: "Cy" });
  });
});

describe("7. an outsider of a locked room learns only 'locked' and its own outcome", () => {
  it("does not say 'full' to a knock on a full locked room", async () => {
    const room = randomRoom();
    const inside: RoomClient[] = [];
    for (let n = 0; n < DEFAULT_MAX_PEERS; n++) inside.push((await RoomClient.join(room, `P${n}`)).client);
    inside[0]!.send({ type: "lock", key: KEY });
    await expect.poll(() => inside[0]!.received.some((m) => m.type === "locked")).toBe(true);
    const { reply } = await knockAs(room, "Outsider");
    expect(reply).toEqual({ type: "knock-sent" });
  });

  it("does not reveal how many knocks are pending", async () => {
    const { room } = await lockedPair();
    const replies = [];
    for (let n = 0; n <= MAX_PENDING_KNOCKS; n++) replies.push((await knockAs(room, `K${n}`)).reply);
    expect(replies.map((r) => r.type === "denied" && r.reason)).not.toContain("full");
    const last = replies.at(-1)!;
    // Refused like any knock throttle: no count, no reason that differs from "slow down".
    expect(last).toEqual({ type: "denied", reason: "too-many-knocks", retryAfterMs: expect.any(Number) });
  });
});

describe("9. small ones", () => {
  it("answers a key that normalizes to fewer than 4 characters with a clear error", async () => {
    const { ada } = await pair();
    ada.send({ type: "lock", key: "  ab  " });
    expect(await drain(ada)).toEqual([
      { type: "error", code: "bad-message", message: expect.stringContaining("at least 4 characters") },
    ]);
  });

  it("gives state messages their own small budget", async () => {
    const { ada, bo } = await pair();
    for (let n = 0; n < 40; n++) ada.send({ type: "state", audio: n % 2 === 0 });
    const toAda = await drain(ada);
    const toBo = (await drain(bo)).filter((m) => m.type === "peer-state");
    expect(toAda.filter((m) => m.type === "error").every((m) => m.type === "error" && m.code === "rate-limited")).toBe(
      true,
    );
    expect(toAda.filter((m) => m.type === "error").length).toBeGreaterThan(0);
    expect(toBo.length).toBeLessThan(40);
    // Signals are not affected.
    ada.signal(bo.id, offer);
    expect(await bo.next("signal")).toMatchObject({ from: ada.id });
  });
});

describe("4. idle sockets", () => {
  it("closes a socket that has neither joined nor knocked within a few seconds, and no one else", async () => {
    const { room, ada, bo } = await lockedPair();
    const idle = await RoomClient.connect(room);
    const { client: knocker } = await knockAs(room, "Cy");
    const refused = await RoomClient.connect(room);
    refused.send({ type: "join", name: "Dee" });
    expect(await refused.next("denied")).toEqual({ type: "denied", reason: "locked" });

    await advanceClock(room, DOOR_IDLE_MS);
    await ada.heartbeat();
    await bo.heartbeat();
    await runDurableObjectAlarm(stubFor(room));
    expect((await idle.waitForClose()).code).toBe(CloseCode.idle);
    // Turned away and still at the door: the same rule, so a denied socket cannot linger either.
    expect((await refused.waitForClose()).code).toBe(CloseCode.idle);
    for (const open of [ada, bo, knocker]) expect(open.closed).toBeNull();
  });

  it("gives a socket a fresh 10 s after each join or knock, so that an answer never races the idle close", async () => {
    const { room, ada, bo } = await lockedPair();
    const late = await RoomClient.connect(room);
    await advanceClock(room, DOOR_IDLE_MS - 1_000);
    late.send({ type: "join", name: "Dee" });
    expect(await late.next("denied")).toEqual({ type: "denied", reason: "locked" });
    await advanceClock(room, 2_000);
    await ada.heartbeat();
    await bo.heartbeat();
    await runDurableObjectAlarm(stubFor(room));
    late.send({ type: "join", name: "Dee", key: KEY });
    expect(await late.next("welcome")).toMatchObject({ type: "welcome" });
    expect(late.closed).toBeNull();
  });

  it("never turns away a resuming member or someone with the key because of idle sockets", async () => {
    const { room, ada, bo } = await lockedPair();
    bo.ws.close(4000, "network drop");
    await ada.expectNothingPending();
    const idle: RoomClient[] = [];
    for (let n = 0; n < 40; n++) idle.push(await RoomClient.connect(room));

    const { reply: back } = await comeBackAs(room, bo, "Bo");
    expect(back).toMatchObject({ type: "welcome", id: bo.id });
    const cy = await RoomClient.connect(room);
    cy.send({ type: "join", name: "Cy", key: KEY });
    expect(await cy.next("welcome")).toMatchObject({ type: "welcome" });
    // Making that room closed the oldest idle sockets, not the new ones.
    const closed = idle.filter((c) => c.closed);
    expect(closed.length).toBeGreaterThan(0);
    for (const c of closed) expect(c.closed?.code).toBe(CloseCode.idle);
  });

  it(`keeps at most ${MAX_DOOR_SOCKETS_PER_CLIENT} idle sockets per client, closing that client's oldest`, async () => {
    const room = randomRoom();
    const address = "203.0.113.50";
    const mine: RoomClient[] = [];
    for (let n = 0; n < MAX_DOOR_SOCKETS_PER_CLIENT + 2; n++) mine.push(await RoomClient.connect(room, { address }));
    const someoneElse = await RoomClient.connect(room);
    await expect.poll(() => mine.filter((c) => c.closed).length).toBe(2);
    expect(mine.slice(0, 2).map((c) => c.closed?.code)).toEqual([CloseCode.idle, CloseCode.idle]);
    expect(someoneElse.closed).toBeNull();
  });
});
