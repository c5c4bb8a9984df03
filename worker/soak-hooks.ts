/**
 * Test-only routes for the soak test (test/e2e/soak.test.ts): evict a Room Durable Object the
 * way a crash or a deploy would, and list the names (never the values) of what it stores.
 *
 * They exist only when the variable SOAK_HOOKS is exactly "1", which nothing but the soak
 * test's own `wrangler dev --var SOAK_HOOKS:1` sets: wrangler.toml does not define it, so a
 * deployed natter answers these paths with the ordinary 404 of any unknown /api path. The Room
 * checks the same variable again before it obeys (room.ts), so a stub call from anywhere else
 * cannot reach them either.
 */
import { Hono } from "hono";
import type { Env } from "./env";
import { apiError } from "./errors";
import { isRoomId } from "./room-id";

export function soakHooksEnabled(env: Pick<Env, "SOAK_HOOKS">): boolean {
  return env.SOAK_HOOKS === "1";
}

export const soakHooks = new Hono<{ Bindings: Env }>();

soakHooks.use("*", async (c, next) => {
  // Exactly the answer an unknown path gets, so production does not even reveal that the hooks exist.
  if (!soakHooksEnabled(c.env)) return apiError(c, 404, "not-found", "No such API endpoint.");
  if (!isRoomId(c.req.param("id") ?? "")) return apiError(c, 400, "invalid-room-id", "Not a room id.");
  await next();
});

const roomOf = (env: Env, id: string) => env.ROOM.get(env.ROOM.idFromName(id));

soakHooks.post("/:id/evict", async (c) => {
  try {
    await roomOf(c.env, c.req.param("id")).soakEvict();
  } catch {
    // The object resets in the middle of the call: the error is the proof that it did.
    return c.body(null, 204);
  }
  return apiError(c, 500, "not-evicted", "The room did not reset.");
});

soakHooks.get("/:id/keys", async (c) => {
  return c.json({ keys: await roomOf(c.env, c.req.param("id")).soakStorageKeys() });
});
