/**
 * Issue #15: on a room link the camera starts, and the room's socket opens, before the room's
 * code has even loaded (frontend/early.ts), and the hair check then uses exactly those: one camera
 * request and one socket for the whole visit, and the call works through them. The home page and
 * a link that is not a room start neither. No timing is asserted, only the order of events.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { joinFromHairCheck, MEDIA_TIMEOUT_MS, waitForDecodedVideoFrom } from "../helpers/browser";
import { useCast } from "../helpers/cast";

/** Records, in page order, each camera request, each new socket and the moment the Join button first shows (and when the camera was first asked for). */
const RECORD_START = `(() => {
  if (window.__early) return;
  const events = [];
  Object.defineProperty(window, "__early", { value: events });
  const devices = navigator.mediaDevices;
  if (devices && devices.getUserMedia) {
    const native = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (constraints) => {
      events.push("camera");
      if (window.__cameraAt === undefined) Object.defineProperty(window, "__cameraAt", { value: performance.now() });
      return native(constraints);
    };
  }
  const Native = window.WebSocket;
  window.WebSocket = class WebSocket extends Native {
    constructor(...args) {
      super(...args);
      events.push("socket");
    }
  };
  const look = () => {
    if (events.includes("join-shown")) return;
    for (const button of document.querySelectorAll("button")) {
      if (/^\\s*Join/.test(button.textContent || "")) { events.push("join-shown"); return; }
    }
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
})();`;

type Window = { __early: string[] };
const events = (page: import("playwright-core").Page) =>
  page.evaluate(() => [...(window as unknown as Window).__early]);

describe.skipIf(inject("e2eSkip"))("the camera and the room's socket start before the app", () => {
  const cast = useCast({ label: "early-start" });

  it("a room link asks for the camera and opens the socket before the hair check shows, once each, and the call works through them", async () => {
    const room = `early-${randomBytes(5).toString("hex")}`;
    const ada = await cast.arrive(room, "ada");
    const bo = await cast.person("bo", { init: RECORD_START });
    await bo.page.goto(`/${room}`);
    await joinFromHairCheck(bo.page);
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bo.page, 1)]);

    const seen = await events(bo.page);
    // The camera was asked for before the room's chunk was even requested: by the app's first module.
    const { cameraAt, roomChunkAt } = await bo.page.evaluate(() => ({
      cameraAt: (window as unknown as { __cameraAt?: number }).__cameraAt ?? null,
      roomChunkAt:
        performance.getEntriesByType("resource").find((entry) => /\/assets\/Room-[^/]*\.js$/.test(entry.name))
          ?.startTime ?? null,
    }));
    expect(cameraAt).not.toBeNull();
    expect(roomChunkAt).not.toBeNull();
    expect(cameraAt).toBeLessThan(roomChunkAt ?? 0);
    // Both were under way before the room's chunk had loaded and drawn the hair check…
    const shown = seen.indexOf("join-shown");
    expect(shown, `events: ${seen.join(", ")}`).toBeGreaterThan(0);
    expect(seen.slice(0, shown).sort()).toEqual(["camera", "socket"]);
    // …and the hair check and the call took them over: no second camera request, no second socket.
    expect(seen.filter((e) => e === "camera")).toHaveLength(1);
    expect(seen.filter((e) => e === "socket")).toHaveLength(1);
    // The preview is that camera, and the socket is the room's, open.
    await bo.page.getByTestId("self-tile").locator("video").waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
    const sockets = await bo.page.evaluate(() =>
      (window as unknown as { __e2eSockets: WebSocket[] }).__e2eSockets.map((ws) => ws.readyState),
    );
    expect(sockets).toEqual([1 /* OPEN */]);
  });

  it("the home page and a link that is no room start neither the camera nor a socket", async () => {
    const someone = await cast.person("cy", { init: RECORD_START });
    await someone.page.goto("/");
    await someone.page.getByRole("heading", { level: 1 }).waitFor({ timeout: MEDIA_TIMEOUT_MS });
    await someone.page.goto("/not%20a%20room!");
    await someone.page.getByRole("heading", { level: 1 }).waitFor({ timeout: MEDIA_TIMEOUT_MS });
    // A moment for anything early to have happened, were it going to.
    await someone.page.waitForTimeout(500);
    expect(await events(someone.page)).toEqual([]);
  });
});
