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
import { isRoomId } from "../common/room-id";
import type { Env } from "./env";
import { apiError } from "./errors";

export function soakHooksEnabled(env: Pick<Env, "SOAK_HOOKS">): boolean {
  return env.SOAK_HOOKS === "1";
}

/** Exactly what an unknown /api path answers (index.ts), so production does not even reveal the hooks. */
const NOT_FOUND = "No such API endpoint.";

export const soakHooks = new Hono<{ Bindings: Env }>();

soakHooks.use("/:id/*", async (c, next) => {
  if (!soakHooksEnabled(c.env)) return apiError(c, 404, "not-found", NOT_FOUND);
  if (!isRoomId(c.req.param("id") ?? "")) return apiError(c, 400, "invalid-room-id", "Not a room id.");
  await next();
});

const roomOf = (env: Env, id: string) => env.ROOM.get(env.ROOM.idFromName(id));

soakHooks.post("/:id/evict", async (c) => {
  let answer: string;
  try {
    answer = await roomOf(c.env, c.req.param("id")).soakEvict();
  } catch {
    // The object reset in the middle of the call: the broken call is the proof that it did.
    return c.body(null, 204);
  }
  // The room's own environment lacks the variable: it refused, and the hook does not exist.
  return answer === "disabled"
    ? apiError(c, 404, "not-found", NOT_FOUND)
    : apiError(c, 500, "not-evicted", "The room did not reset.");
});

soakHooks.get("/:id/keys", async (c) => {
  const keys = await roomOf(c.env, c.req.param("id")).soakStorageKeys();
  if (keys === "disabled") return apiError(c, 404, "not-found", NOT_FOUND);
  return c.json({ keys });
});
