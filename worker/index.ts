/**
 * The Worker: stateless. It validates and routes; every room's state lives in that
 * room's Durable Object. Static files never reach this code: wrangler.toml sends only
 * /api/* here and serves the SPA for everything else.
 */
import { Hono } from "hono";
import { safeLeaveUrl } from "../common/leave-url";
import { isRoomId, ROOM_ID_LENGTH } from "../common/room-id";
import { CLIENT_HEADER } from "../durable-objects/room";
import { clientKey } from "./client-key";
import type { Env } from "./env";
import { apiError } from "./errors";
import { isAllowedOrigin } from "./origin";
import { securityHeaders } from "./security-headers";
import { soakHooks } from "./soak-hooks";

export { Room } from "../durable-objects/room";

const app = new Hono<{ Bindings: Env }>();

app.use("*", securityHeaders);

app.get("/api/health", (c) => c.json({ ok: true }));

// Where the page goes after "Leave call": LEAVE_URL if it is a safe http(s) address, else null
// (the page's own Left page). Checked here so that a bad value is never handed to any page.
app.get("/api/leave-url", (c) => c.json({ url: safeLeaveUrl(c.env.LEAVE_URL) }));

// No /api/room-name: suggested names are drawn in the page (frontend/room-name-suggestion.ts),
// so the server never sees a name, not even one it would have handed out itself.

// The browser hashes the room's name into its id (room-id.ts): the name never reaches this code,
// nor any log of this request line. There is no name-based route: a name here is refused.
app.get("/api/rooms/:id/ws", async (c) => {
  const client = await clientKey(c.req.raw);
  // Counted before anything else, so that even refused requests cost the client its budget.
  const { success } = await c.env.CLIENT_LIMITER.limit({ key: client });
  if (!success) {
    c.header("Retry-After", "60");
    return apiError(c, 429, "rate-limited", "Too many room connections from this address; wait a minute.");
  }
  if (!isAllowedOrigin(c.req.raw, c.env.ALLOWED_ORIGINS)) {
    return apiError(c, 403, "forbidden-origin", "Room sockets may only be opened by this site's own pages.");
  }
  if (!isRoomId(c.req.param("id"))) {
    // Never echo the segment: from an outdated page it would be a room name.
    return apiError(
      c,
      400,
      "invalid-room-id",
      `A room id is ${ROOM_ID_LENGTH} characters of URL-safe base64, which the page derives from the room name; reload the page.`,
    );
  }
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    return apiError(c, 426, "upgrade-required", "This endpoint only speaks WebSocket.");
  }
  // One object per id. "Team Sync" and "team-sync" meet because the page normalizes before hashing.
  const room = c.env.ROOM.get(c.env.ROOM.idFromName(c.req.param("id")));
  // The room limits sockets and knocks per client; it learns only the hash, and a client
  // cannot choose it: whatever the request carried under that name is overwritten.
  const request = new Request(c.req.raw);
  request.headers.set(CLIENT_HEADER, client);
  return room.fetch(request);
});

// Test-only, and 404 unless SOAK_HOOKS is "1" (soak-hooks.ts).
app.route("/api/soak/rooms", soakHooks);

app.all("/api/*", (c) => apiError(c, 404, "not-found", "No such API endpoint."));

app.onError((err, c) => {
  // The message of an unexpected error may hold client input; log its type only.
  console.error("unhandled error", err.name);
  return apiError(c, 500, "internal", "Something went wrong on our side.");
});

export default app;
