/**
 * Issue #19, end to end: two people call in a room on a real `wrangler dev` that prints a line for
 * every request (--log-level info, as an operator would run it), and the room's name shows up in
 * none of the lines about the Worker's requests. The page path itself (`GET /<room>`) is logged, as
 * any web host logs the pages it serves: that is what README "What a host can see" says.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { roomIdFor } from "../../common/room-id";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { MEDIA_TIMEOUT_MS, waitForDecodedVideoFrom } from "../helpers/browser";
import { useCast } from "../helpers/cast";

describe.skipIf(inject("e2eSkip"))("the server never learns a room's name", () => {
  const cast = useCast({ label: "privacy", camera: "small" });
  let server: WranglerServer;

  beforeAll(async () => {
    server = await startWrangler({ name: "natter (request log)", logLevel: "info", outputLinesKept: 5_000 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("two people call, and wrangler's output names the room only as the page they loaded", async () => {
    const marker = randomBytes(6).toString("hex");
    const room = `secret-garden-${marker}`;
    const ada = await cast.arrive(room, "ada", { baseUrl: server.baseUrl });
    // Bo types it differently: one room all the same, since the page normalizes before it hashes.
    const bo = await cast.person("bo", { baseUrl: server.baseUrl });
    await bo.page.goto(`/Secret_Garden--${marker.toUpperCase()}`);
    expect(new URL(bo.page.url()).pathname).toBe(`/${room}`);
    await bo.page.getByRole("button", { name: /^Join/ }).click({ timeout: MEDIA_TIMEOUT_MS });
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bo.page, 1)]);

    const id = await roomIdFor(room);
    const sockets = await ada.page.evaluate(() =>
      (window as unknown as { __e2eSockets: WebSocket[] }).__e2eSockets.map((ws) => ws.url),
    );
    expect(sockets.map((url) => new URL(url).pathname)).toContain(`/api/rooms/${id}/ws`);

    // wrangler prints request lines a moment after the response; wait until both sockets are in.
    await expect
      .poll(
        () =>
          server
            .output()
            .split("\n")
            .filter((line) => line.includes(`/api/rooms/${id}/ws`)).length,
        {
          timeout: 10_000,
          message: "wrangler dev logs each room socket's request line (else this test would prove nothing)",
        },
      )
      .toBeGreaterThanOrEqual(2);

    const lines = server.output().split("\n");
    const naming = lines.filter((line) => line.toLowerCase().includes(marker));
    // The only lines that name the room are the page loads: GET of the SPA at /<room> (both spellings).
    for (const line of naming) {
      expect(line, "a line naming the room must be a page load, never the Worker's API").toMatch(
        /GET \/(secret-garden|Secret_Garden)-+[0-9a-f]+ /i,
      );
      expect(line).not.toContain("/api/");
    }
    const apiLines = lines.filter((line) => line.includes("/api/"));
    expect(apiLines.length).toBeGreaterThan(0);
    for (const line of apiLines) expect(line.toLowerCase()).not.toContain(marker);
  });

  it("a room's page is the app, served by the asset layer (the Worker has no page for it)", async () => {
    const response = await fetch(`${server.baseUrl}/secret-garden-${randomBytes(4).toString("hex")}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain('<script type="module"');
  });
});
