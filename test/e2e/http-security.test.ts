/**
 * The security headers and the WebSocket Origin check, measured on a real `wrangler dev`:
 * static assets are served by the asset server (headers from dist/_headers), the API by
 * the Worker, and both must carry the same protections.
 */
import { request } from "node:http";
import { describe, expect, inject, it } from "vitest";
import { roomIdFor } from "../../common/room-id";
import { IMMUTABLE_CACHE_CONTROL, SECURITY_HEADERS } from "../../worker/security-headers";

const skip = inject("e2eSkip");
const base = inject("e2eBaseUrl");

/** A raw WebSocket handshake, so the test controls the Origin header as an attacker's page cannot. */
function handshake(path: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        Origin: origin,
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": Buffer.from("natter-e2e-key-1").toString("base64"),
      },
    });
    req.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    req.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(skip)("HTTP security on a real server", () => {
  it("puts the security headers on every kind of response", async () => {
    const html = await fetch(new URL("/", base));
    const script = (await html.text()).match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script, "index.html loads a hashed script").toBeDefined();
    const paths = ["/", "/some-room", script!, "/api/health", "/api/nope"];
    for (const path of paths) {
      const response = await fetch(new URL(path, base));
      await response.arrayBuffer();
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(response.headers.get(name), `${name} on ${path}`).toBe(value);
      }
    }
  });

  it("caches hashed assets immutably and never caches the page or the API", async () => {
    const html = await fetch(new URL("/some-room", base));
    const script = (await html.text()).match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
    expect(html.headers.get("Cache-Control")).not.toContain("immutable");
    expect(html.headers.get("Cache-Control")).toMatch(/max-age=0|no-cache|no-store/);
    expect((await fetch(new URL(script, base))).headers.get("Cache-Control")).toBe(IMMUTABLE_CACHE_CONTROL);
    expect((await fetch(new URL("/api/health", base))).headers.get("Cache-Control")).toBe("no-store");
  });

  it("refuses a room socket from a foreign Origin and accepts the site's own", async () => {
    const path = `/api/rooms/${await roomIdFor("origin-check")}/ws`;
    expect(await handshake(path, "https://evil.example")).toBe(403);
    expect(await handshake(path, new URL(base).origin)).toBe(101);
  });
});
