/**
 * Issue #19: the server side never learns a room's name. The browser sends only the room id
 * (common/room-id.ts), so nothing the Room keeps or says can hold the name: this walks a room
 * through everything it does (join, welcome, lock, a wrong key, a knock and its admission,
 * errors, a drop and a resume) and then searches all of it for the name.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { normalizeRoomName } from "../../common/room-name";
import type { Room } from "../../durable-objects/room";
import { offer, RoomClient, roomIdOf, roomStub } from "./support/room-client";

const KEY = "correct horse battery";

/** Every way the name could show up: as typed, normalized, and its distinctive part alone. */
function traces(typed: string, marker: string): string[] {
  const normalized = normalizeRoomName(typed);
  if (!normalized.ok) throw new Error(normalized.reason);
  return [typed, normalized.name, marker, marker.toUpperCase()];
}

function findTraces(haystack: string, needles: string[]): string[] {
  const lower = haystack.toLowerCase();
  return needles.filter((needle) => lower.includes(needle.toLowerCase()));
}

describe("what the server side knows of a room", () => {
  it("holds the room's name nowhere: not in storage, attachments, the object's id, or any message", async () => {
    const marker = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
    const typed = `Secret Garden ${marker}`;
    const needles = traces(typed, marker);

    const { client: ada } = await RoomClient.join(typed, "Ada");
    const { client: bo } = await RoomClient.join(typed, "Bo");
    await ada.next("peer-joined");
    ada.signal(bo.id, offer);
    await bo.next("signal");

    // Errors: a message that is not JSON, one of an unknown type, a signal to nobody.
    ada.send("{not json");
    await ada.next("error");
    ada.send({ type: "teleport" });
    await ada.next("error");

    // Lock, then a wrong key, a knock, and the knock admitted.
    ada.send({ type: "lock", key: KEY });
    await ada.next("locked");
    await bo.next("locked");
    const guesser = await RoomClient.connect(typed);
    guesser.send({ type: "join", name: "Guesser", key: "wrong wrong wrong" });
    await guesser.next("denied");
    await ada.next("key-guessed");
    const knocker = await RoomClient.connect(typed);
    knocker.send({ type: "knock", name: "Cy" });
    await knocker.next("knock-sent");
    const knock = await ada.next("knocking");
    ada.send({ type: "admit", id: knock.id });
    await knocker.next("welcome");

    // A resume after a dropped socket: the room keeps the identity in storage meanwhile.
    bo.ws.close(4000, "dropped");
    await bo.waitForClose();
    const back = await RoomClient.connect(typed);
    back.send({ type: "join", name: "Bo", resume: { id: bo.id, token: bo.resumeToken } });
    await back.next("welcome");
    await runDurableObjectAlarm(roomStub(typed));

    const inside = await runInDurableObject(roomStub(typed), async (_room: Room, state) => ({
      storage: [...(await state.storage.list())],
      attachments: state.getWebSockets().map((ws) => ws.deserializeAttachment() as unknown),
      idName: state.id.name ?? null,
      idString: state.id.toString(),
      alarm: await state.storage.getAlarm(),
    }));
    // The object knows itself by the id the browser derived, which is all the Worker had.
    expect(inside.idName).toBe(await roomIdOf(typed));
    expect(inside.storage.length, "the room did keep something, so the scan below is not vacuous").toBeGreaterThan(0);
    expect(inside.attachments.length).toBeGreaterThan(0);

    const messages = [ada, bo, guesser, knocker, back].flatMap((client) => [...client.received, client.closed]);
    expect(messages.map((m) => (m && "type" in m ? m.type : "close"))).toEqual(
      expect.arrayContaining(["welcome", "error", "locked", "denied", "knock-sent", "knocking", "key-guessed"]),
    );
    const everything = JSON.stringify({ inside, messages });
    expect(findTraces(everything, needles)).toEqual([]);
    // The key never shows up either (it is hashed with a salt), checked here since the dump is at hand.
    expect(everything).not.toContain(KEY);
  });

  it("is reached by the id alone: the Durable Object is idFromName(id), the same for every spelling", async () => {
    const marker = crypto.randomUUID().slice(0, 8);
    const { client: ada } = await RoomClient.join(`Team Sync ${marker}`, "Ada");
    const { peers } = await RoomClient.join(`team_SYNC--${marker.toUpperCase()}`, "Bo");
    expect(peers.map((p) => p.id)).toEqual([ada.id]);
    const id = await roomIdOf(`team-sync-${marker}`);
    const sockets = await runInDurableObject(env.ROOM.get(env.ROOM.idFromName(id)), (_room: Room, state) => {
      return state.getWebSockets().length;
    });
    expect(sockets).toBe(2);
  });
});
