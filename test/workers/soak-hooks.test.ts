/**
 * The soak test's hooks (worker/soak-hooks.ts) must not exist in production: wrangler.toml does
 * not set SOAK_HOOKS, and this pool runs from wrangler.toml, as a deploy would.
 */
import { createExecutionContext, env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Room } from "../../durable-objects/room";
import worker from "../../worker/index";
import { RoomClient, randomRoom, roomIdOf, roomStub } from "./support/room-client";

describe("soak hooks without SOAK_HOOKS (as deployed)", () => {
  it("answer 404 like any unknown API path, and the room keeps running", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const id = await roomIdOf(room);
    const unknown = await (await SELF.fetch("https://natter.test/api/nope")).json();
    for (const [method, path] of [
      ["POST", `/api/soak/rooms/${id}/evict`],
      ["GET", `/api/soak/rooms/${id}/keys`],
    ] as const) {
      const response = await SELF.fetch(`https://natter.test${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toEqual(unknown);
    }
    // Still the same object, with its member: nothing was reset.
    ada.send({ type: "refresh-ice" });
    expect(await ada.next("ice")).toMatchObject({ type: "ice" });
  });

  it("are refused by the Room itself even when the Worker is told to allow them", async () => {
    const room = randomRoom();
    await RoomClient.join(room, "Ada");
    const id = await roomIdOf(room);
    // The Worker's env says "1", the Room's own (from wrangler.toml) does not: the Room decides.
    const allowing = { ...env, SOAK_HOOKS: "1" };
    for (const [method, path] of [
      ["POST", `/api/soak/rooms/${id}/evict`],
      ["GET", `/api/soak/rooms/${id}/keys`],
    ] as const) {
      const request = new Request(`https://natter.test${path}`, { method });
      const response = await worker.fetch(request, allowing, createExecutionContext());
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    await runInDurableObject(roomStub(room), async (instance: Room) => {
      expect(await instance.soakEvict()).toBe("disabled");
      expect(await instance.soakStorageKeys()).toBe("disabled");
    });
  });

  it("check the room id before anything else when enabled", async () => {
    const request = new Request("https://natter.test/api/soak/rooms/not-a-room-id/keys");
    const response = await worker.fetch(request, { ...env, SOAK_HOOKS: "1" }, createExecutionContext());
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid-room-id" } });
  });
});
