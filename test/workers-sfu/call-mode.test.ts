/**
 * Mesh below, SFU above, through real WebSockets in workerd with SFU mode configured (this
 * project's Worker has REALTIME_*; SFU_THRESHOLD and SFU_MAX_PEERS are left at their defaults):
 * the join past the threshold turns the call to SFU for everyone, the call goes back to mesh
 * only after the hold (the room's own alarm, on a clock the test moves), the mode survives
 * hibernation, and a call holds SFU_MAX_PEERS people. No media is sent: this is the room's word.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Room } from "../../durable-objects/room";
import {
  CALL_MODE_HOLD_MS,
  DEFAULT_MAX_PEERS,
  DEFAULT_SFU_MAX_PEERS,
  DEFAULT_SFU_THRESHOLD,
} from "../../durable-objects/room-rules/limits";
import { advanceClock, RoomClient, randomRoom, roomStub } from "../workers/support/room-client";

/** Stops the room's clock where it is, so that only `advanceClock` moves it: the hold is measured exactly. */
async function freezeClock(room: string): Promise<void> {
  await runInDurableObject(roomStub(room), (instance: Room) => {
    const at = instance.now();
    instance.now = () => at;
  });
}

/** A call of `n` people who have each heard of everyone after them; returns them and their welcomes' modes. */
async function callOf(room: string, n: number) {
  const members: RoomClient[] = [];
  const modes: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const client = await RoomClient.connect(room);
    client.send({ type: "join", name: `P${i + 1}` });
    const welcome = await client.next("welcome");
    client.id = welcome.id;
    modes.push(welcome.mode);
    for (const member of members) expect(await member.next("peer-joined")).toMatchObject({ peer: { id: client.id } });
    members.push(client);
  }
  return { members, modes };
}

/** Everything `client` has not read yet, up to a barrier: messages on one socket arrive in order. */
async function unread(client: RoomClient) {
  client.send("barrier (not json)");
  const messages = [];
  for (;;) {
    const message = await client.next();
    if (message.type === "error" && message.code === "bad-json") return messages;
    messages.push(message);
  }
}

async function joinOne(room: string, name: string) {
  const client = await RoomClient.connect(room);
  client.send({ type: "join", name });
  const welcome = await client.next("welcome");
  client.id = welcome.id;
  return { client, welcome };
}

describe("the call mode", () => {
  it(`turns to sfu on join ${DEFAULT_SFU_THRESHOLD + 1}: everyone inside hears it, the newcomer's welcome says it`, async () => {
    const room = randomRoom();
    const { members, modes } = await callOf(room, DEFAULT_SFU_THRESHOLD);
    expect(modes).toEqual(Array(DEFAULT_SFU_THRESHOLD).fill("mesh"));

    const { client: fifth, welcome } = await joinOne(room, "Fifth");
    expect(welcome.mode).toBe("sfu");
    expect(welcome.peers).toHaveLength(DEFAULT_SFU_THRESHOLD);
    for (const member of members) {
      expect(await member.next("peer-joined")).toMatchObject({ peer: { id: fifth.id } });
      expect(await member.next("call-mode")).toEqual({ type: "call-mode", mode: "sfu" });
    }
    // The newcomer learned it from its welcome alone.
    await fifth.expectNothingPending();
  });

  it("goes back to mesh only once the hold is over, and a join past the threshold in between cancels it", async () => {
    const room = randomRoom();
    const { members } = await callOf(room, DEFAULT_SFU_THRESHOLD + 1);
    for (const member of members.slice(0, -1)) await member.next("call-mode");
    const stub = roomStub(room);
    await freezeClock(room);

    // Down to the threshold: nobody hears anything yet.
    members.pop()!.close();
    for (const member of members) await member.next("peer-left");
    await advanceClock(room, CALL_MODE_HOLD_MS - 1);
    await runDurableObjectAlarm(stub);
    for (const member of members) await member.expectNothingPending();

    // Someone joins within the hold: still sfu, and the wait is off.
    const { client: back, welcome } = await joinOne(room, "Back");
    expect(welcome.mode).toBe("sfu");
    for (const member of members) await member.next("peer-joined");
    members.push(back);
    await advanceClock(room, CALL_MODE_HOLD_MS);
    await runDurableObjectAlarm(stub);
    for (const member of members) await member.expectNothingPending();

    // Down again, and this time the call stays small for the whole hold.
    members.shift()!.close();
    for (const member of members) await member.next("peer-left");
    await advanceClock(room, CALL_MODE_HOLD_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    for (const member of members) expect(await member.next("call-mode")).toEqual({ type: "call-mode", mode: "mesh" });

    // And the next join past the threshold turns it to sfu again.
    const { welcome: again } = await joinOne(room, "Again");
    expect(again.mode).toBe("sfu");
    for (const member of members) {
      await member.next("peer-joined");
      expect(await member.next("call-mode")).toEqual({ type: "call-mode", mode: "sfu" });
    }
  });

  it("is kept through hibernation", async () => {
    const room = randomRoom();
    const { members } = await callOf(room, DEFAULT_SFU_THRESHOLD + 1);
    for (const member of members.slice(0, -1)) await member.next("call-mode");
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });

    const { welcome } = await joinOne(room, "After");
    expect(welcome.mode).toBe("sfu");
    for (const member of members) {
      await member.next("peer-joined");
      await member.expectNothingPending();
    }
  });

  it(`lets a call grow past MAX_PEERS (${DEFAULT_MAX_PEERS}) through the SFU, up to SFU_MAX_PEERS (${DEFAULT_SFU_MAX_PEERS})`, async () => {
    const room = randomRoom();
    const members: RoomClient[] = [];
    for (let i = 0; i < DEFAULT_SFU_MAX_PEERS; i++) {
      const { client, welcome } = await joinOne(room, `P${i + 1}`);
      expect(welcome.peers).toHaveLength(i);
      expect(welcome.mode).toBe(i < DEFAULT_SFU_THRESHOLD ? "mesh" : "sfu");
      members.push(client);
    }
    const late = await RoomClient.connect(room);
    late.send({ type: "join", name: "Late" });
    expect(await late.next("denied")).toEqual({ type: "denied", reason: "full" });
    // Everyone inside heard each newcomer, and the switch exactly once (the first four only).
    for (const [i, member] of members.entries()) {
      const heard = await unread(member);
      expect(heard.filter((m) => m.type === "peer-joined")).toHaveLength(DEFAULT_SFU_MAX_PEERS - 1 - i);
      expect(heard.filter((m) => m.type === "call-mode")).toEqual(
        i < DEFAULT_SFU_THRESHOLD ? [{ type: "call-mode", mode: "sfu" }] : [],
      );
    }
  });
});
