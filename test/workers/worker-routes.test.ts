import { createExecutionContext, env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { roomIdFor } from "../../common/room-id";
import type { Room } from "../../durable-objects/room";
import worker from "../../worker/index";
import { isAllowedOrigin } from "../../worker/origin";
import { headersFile, SECURITY_HEADERS } from "../../worker/security-headers";
import { RoomClient, randomRoom, roomPathOf, upgrade } from "./support/room-client";

describe("HTTP routes", () => {
  it("reports health", async () => {
    const response = await SELF.fetch("https://natter.test/api/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("answers a plain GET on the socket URL with 426 and a JSON error", async () => {
    const response = await SELF.fetch(`https://natter.test${await roomPathOf("team-sync")}`);
    expect(response.status).toBe(426);
    expect(await response.json()).toEqual({
      error: { code: "upgrade-required", message: expect.stringContaining("WebSocket") },
    });
  });

  it.each([
    ["a room name", "team-sync"],
    ["a name that merely looks like one", "Team Sync"],
    ["one character short", "A".repeat(42)],
    ["one character long", "A".repeat(44)],
    ["a last character no digest can end in", `${"A".repeat(42)}B`],
    ["standard base64", `${"+/".repeat(21)}A`],
    ["padding", `${"A".repeat(42)}A=`],
  ])("refuses a socket path that is not a room id (%s) with 400 and says what an id is", async (_what, segment) => {
    const response = await upgrade(`/api/rooms/${encodeURIComponent(segment)}/ws`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid-room-id");
    expect(body.error.message).toContain("43 characters");
    // The refusal does not echo what was sent: it may be a room name from an old page.
    expect(body.error.message).not.toContain(segment);
  });

  it("addresses the room by the id exactly as sent: ids differing only in case are different rooms", async () => {
    const id = await roomIdFor(randomRoom());
    const swapped = [...id].map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())).join("");
    const first = await upgrade(`/api/rooms/${id}/ws`);
    const second = await upgrade(`/api/rooms/${swapped.slice(0, 42)}${id.slice(42)}/ws`);
    expect([first.status, second.status]).toEqual([101, 101]);
    first.webSocket?.accept();
    second.webSocket?.accept();
    const socketsIn = (name: string) =>
      runInDurableObject(env.ROOM.get(env.ROOM.idFromName(name)), (_room: Room, state) => state.getWebSockets().length);
    expect(await socketsIn(id)).toBe(1);
    expect(await socketsIn(`${swapped.slice(0, 42)}${id.slice(42)}`)).toBe(1);
  });

  it("puts differently written forms of one name in the same room", async () => {
    const suffix = randomRoom();
    const { client: ada } = await RoomClient.join(`Team Sync ${suffix}`, "Ada");
    const { peers } = await RoomClient.join(`team_sync-${suffix.toUpperCase()}`, "Bo");
    expect(peers).toEqual([{ id: ada.id, name: "Ada" }]);
  });

  it("limits how many room sockets one client may ask for", async () => {
    // The limiter counts per wall-clock minute (miniflare's ratelimit, as Cloudflare's "period"):
    // a sweep that straddled a minute's end would start its count over halfway (one CI run did).
    // So it starts with the minute, or with 15 s of it left at least.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 50));
    const statuses: number[] = [];
    for (let n = 0; n < 125; n++) {
      const response = await upgrade(await roomPathOf(`sweep-${n}`), {
        Upgrade: "nope",
        "CF-Connecting-IP": "203.0.113.9",
      });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses.slice(0, 120).every((s) => s === 426)).toBe(true);
    expect(statuses.slice(120)).toEqual([429, 429, 429, 429, 429]);
    // Another client is not affected.
    expect((await upgrade(await roomPathOf("sweep-0"), { Upgrade: "nope" })).status).toBe(426);
  });

  it("does not suggest room names: the page draws them, so the server never sees one", async () => {
    const response = await SELF.fetch("https://natter.test/api/room-name");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not-found" } });
  });

  it("has no page of its own for a room's path, so a room page can only come from the asset layer", async () => {
    // wrangler.toml runs the Worker first only for /api/*; everything else is a static file or the
    // SPA's index.html. The Worker never fetches from ASSETS, so if it ever ran for /<room> the
    // visitor would get this 404, not the app: test/e2e/room-name-privacy.test.ts loads the page
    // from a real `wrangler dev` and gets the app. (SELF here goes straight to the Worker.)
    const path = `/Secret-${randomRoom()}`;
    const direct = await worker.fetch(new Request(`https://natter.test${path}`), env, createExecutionContext());
    expect(direct.status).toBe(404);
    expect(direct.headers.get("Content-Type") ?? "").not.toContain("text/html");
  });

  it("answers unknown API paths with a JSON 404", async () => {
    const response = await SELF.fetch("https://natter.test/api/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not-found" } });
  });
});

describe("security", () => {
  it("puts the security headers on API responses", async () => {
    for (const path of ["/api/health", "/api/nope", "/api/rooms/x/ws"]) {
      const response = await SELF.fetch(`https://natter.test${path}`);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers.get(name)).toBe(value);
      expect(response.headers.get("Cache-Control")).toBe("no-store");
    }
  });

  it("has a CSP without inline script or eval, and no referrer", () => {
    const csp = SECURITY_HEADERS["Content-Security-Policy"]!;
    // WebAssembly may compile (the noise suppressor), JavaScript may not be eval'd.
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).not.toContain("unsafe-inline");
    // JavaScript eval stays off; only WebAssembly may compile (background blur's segmenter, issue 17).
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(SECURITY_HEADERS["Referrer-Policy"]).toBe("no-referrer");
  });

  it("refuses a room socket opened from another site with 403", async () => {
    const response = await upgrade(await roomPathOf("hijack"), { Origin: "https://evil.example" });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "forbidden-origin" } });
  });

  it("accepts the site's own origin and configured extra origins", async () => {
    expect((await upgrade(await roomPathOf("own"))).status).toBe(101);
    expect(
      isAllowedOrigin(
        new Request("https://a.test/x", { headers: { Origin: "https://b.test" } }),
        "https://b.test/, https://c.test",
      ),
    ).toBe(true);
    expect(
      isAllowedOrigin(new Request("https://a.test/x", { headers: { Origin: "https://d.test" } }), "https://b.test"),
    ).toBe(false);
    expect(isAllowedOrigin(new Request("https://a.test/x", { headers: { Origin: "null" } }), "")).toBe(false);
  });

  it("writes the same headers for static assets, with immutable caching for hashed files", () => {
    const file = headersFile();
    expect(file).toContain("/*\n  Content-Security-Policy: ");
    expect(file).toContain("/assets/*\n  Cache-Control: public, max-age=31536000, immutable");
  });
});
