/**
 * LEAVE_URL in real Chromium against a `wrangler dev` of its own: "Leave call" lands on the
 * operator's page, and a value that is not an http(s) address is ignored (natter's own Left
 * page, with Rejoin and New room, as without one).
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { useCast } from "../helpers/cast";

const UI_TIMEOUT_MS = 30_000;

describe.skipIf(inject("e2eSkip"))("the page after leaving, in a real browser", () => {
  const cast = useCast({ label: "leave-page", camera: "small" });
  let goodbye: Server;
  let goodbyeUrl: string;
  let withLeaveUrl: WranglerServer;
  let withBadLeaveUrl: WranglerServer;

  beforeAll(async () => {
    // The operator's "thanks for calling" page, on loopback.
    goodbye = createServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "text/html" });
      response.end("<!doctype html><title>Thanks</title><h1>Thanks for calling</h1>");
    });
    await new Promise<void>((resolve) => goodbye.listen(0, "127.0.0.1", resolve));
    goodbyeUrl = `http://127.0.0.1:${(goodbye.address() as AddressInfo).port}/thanks`;
    withLeaveUrl = await startWrangler({ name: "natter (LEAVE_URL)", vars: { LEAVE_URL: goodbyeUrl } });
    withBadLeaveUrl = await startWrangler({
      name: "natter (bad LEAVE_URL)",
      vars: { LEAVE_URL: "javascript:alert(1)" },
    });
  });
  afterAll(async () => {
    await withLeaveUrl?.stop();
    await withBadLeaveUrl?.stop();
    goodbye?.close();
  });

  const newRoom = () => `leave-${randomBytes(8).toString("hex")}`;

  it("goes to LEAVE_URL after 'Leave call'", async () => {
    const ada = await cast.arrive(newRoom(), "Ada", { baseUrl: withLeaveUrl.baseUrl, rememberName: true });
    await ada.page.getByRole("button", { name: "Leave call" }).click();
    await ada.page.waitForURL(goodbyeUrl, { timeout: UI_TIMEOUT_MS });
    expect(await ada.page.getByRole("heading").textContent()).toBe("Thanks for calling");
  });

  it("ignores a LEAVE_URL that is not http(s), keeping natter's own page", async () => {
    const room = newRoom();
    const ada = await cast.arrive(room, "Ada", { baseUrl: withBadLeaveUrl.baseUrl, rememberName: true });
    const dialogs: string[] = [];
    ada.page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await ada.page.getByRole("button", { name: "Leave call" }).click();
    await ada.page.getByRole("heading", { name: `You left ${room}` }).waitFor({ timeout: UI_TIMEOUT_MS });
    await ada.page.getByRole("button", { name: "Rejoin" }).waitFor();
    expect(new URL(ada.page.url()).pathname).toBe(`/${room}`);
    expect(dialogs).toEqual([]);
  });
});
