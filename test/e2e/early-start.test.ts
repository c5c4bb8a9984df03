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

/**
 * Records each camera request and each new socket, with whether the room's chunk (Room-*.js) was
 * on the stack that made it: the app's first module runs in the entry chunk, the hair check and
 * the call in the room's chunk.
 */
const RECORD_START = `(() => {
  if (window.__early) return;
  const events = [];
  Object.defineProperty(window, "__early", { value: events });
  const by = () => (/\\/assets\\/Room-[^/]*\\.js/.test(new Error().stack || "") ? "room chunk" : "first module");
  const devices = navigator.mediaDevices;
  if (devices && devices.getUserMedia) {
    const native = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (constraints) => {
      events.push("camera by " + by());
      return native(constraints);
    };
  }
  const Native = window.WebSocket;
  window.WebSocket = class WebSocket extends Native {
    constructor(...args) {
      super(...args);
      events.push("socket by " + by());
    }
  };
})();`;

type Window = { __early: string[] };
const events = (page: import("playwright-core").Page) =>
  page.evaluate(() => [...(window as unknown as Window).__early]);

describe.skipIf(inject("e2eSkip"))("the camera and the room's socket start before the app", () => {
  const cast = useCast({ label: "early-start" });

  it("a room link's first module asks for the camera and opens the socket, once each, and the call works through them", async () => {
    const room = `early-${randomBytes(5).toString("hex")}`;
    const ada = await cast.arrive(room, "ada");
    const bo = await cast.person("bo", { init: RECORD_START });
    await bo.page.goto(`/${room}`);
    await joinFromHairCheck(bo.page);
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bo.page, 1)]);

    // One camera request and one socket for the whole visit, both made by the app's first
    // module: the hair check and the call took them over rather than asking again.
    expect(await events(bo.page)).toEqual(["camera by first module", "socket by first module"]);
    // The preview is that camera, and the socket is the room's, open.
    await bo.page.getByTestId("self-tile").locator("video").waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
    const sockets = await bo.page.evaluate(() =>
      (window as unknown as { __e2eSockets: WebSocket[] }).__e2eSockets.map((ws) => ws.readyState),
    );
    expect(sockets).toEqual([1 /* OPEN */]);
  });

  it("a room link's page comes with a preload of the room's code, fetched once; the home page's does not", async () => {
    const base = inject("e2eBaseUrl");
    const roomLink = await fetch(`${base}/preload-${randomBytes(4).toString("hex")}`);
    const links = roomLink.headers.get("link") ?? "";
    const chunk = links.match(/<\/(assets\/Room-[^>]+\.js)>; rel=preload; as=script; crossorigin/)?.[1];
    expect(chunk, `Link: ${links}`).toBeDefined();
    expect(links).toMatch(/<\/assets\/Room-[^>]+\.css>; rel=preload; as=style; crossorigin/);
    expect((await fetch(`${base}/`)).headers.get("link")).toBeNull();
    // The site's own one-segment files are no room links.
    expect((await fetch(`${base}/favicon.svg`)).headers.get("link")).toBeNull();

    const someone = await cast.person("dee");
    const warnings: string[] = [];
    someone.page.on("console", (message) => {
      if (/preload/i.test(message.text())) warnings.push(message.text());
    });
    await someone.page.goto(`/preload-${randomBytes(4).toString("hex")}`);
    await someone.page.getByRole("button", { name: /^Join/ }).waitFor({ timeout: MEDIA_TIMEOUT_MS });
    const fetched = await someone.page.evaluate(() =>
      performance.getEntriesByType("resource").map((entry) => new URL(entry.name).pathname),
    );
    // Each file once: the page's own request for the chunk and its stylesheet used what the header fetched.
    expect(fetched.filter((path) => path === `/${chunk}`)).toHaveLength(1);
    expect(fetched.filter((path) => /\/assets\/Room-[^/]+\.css$/.test(path))).toHaveLength(1);
    expect(warnings).toEqual([]);
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
