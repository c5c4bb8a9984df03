/**
 * SFU mode with real Chromium: two pages in one natter room send each other nothing but room
 * messages, and the room (a `wrangler dev` of its own, with REALTIME_* pointing at the local
 * stand-in) makes every SFU request. Each page runs the browser's own SFU modules
 * (frontend/call/sfu/: SfuSession over SfuRequests, bundled into the SFU lab) on a blank
 * same-origin document, since the call engine does not use SFU mode yet. Page A publishes its
 * camera, page B hears of it, pulls it through the room and decodes it; then both close their
 * tracks with offers the SFU answers. Neither page ever sees the app secret.
 *
 * Then the same with end-to-end encryption: SfuSession with SfuSecurity on the secure SFU lab
 * page (sfu-lab/secure.ts), served at the room's origin under the app's own Content-Security-
 * Policy (this file's `wrangler dev` serves it as its assets; the blank pages above are Worker
 * routes and need none). Keys, identities and safety-code frames travel only as relayed `{e2ee}`
 * signals over the room socket. Page A publishes a still red/blue camera, encrypted; page B, a
 * member holding A's key, pulls it through the SFU and sees the red/blue picture; page C, in the
 * same room with no keys and no transform, pulls the very same forwarded track and its decoder
 * gets no picture or garbage out of it; A and B compute the same safety code over their
 * identity keys. One `wrangler dev` for both: starting one costs CI tens of seconds.
 */
import { rm } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { roomIdFor } from "../../common/room-id";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { launchChromium } from "../helpers/browser";
import { waitForDecodedFrames } from "../helpers/decoded-frames";
import { isRedBlue, stillCameraFile, until } from "../helpers/e2ee-lab";
import { addSfuLab, buildSecureSfuLab, sfuLabScript } from "../helpers/sfu-lab";
import type { LabMessage, SfuLab } from "./sfu-lab/lab";
import type { SecureLab } from "./sfu-lab/secure";

type LabWindow = Window & { sfuLab: SfuLab; secureLab: SecureLab };

const total = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

/** A blank page at the room's origin with the lab's socket open and joined as `name`; returns its peer id. */
async function joinRoom(browser: Browser, baseUrl: string, path: string, name: string): Promise<[Page, string]> {
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  await addSfuLab(context);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/api/health`);
  await page.evaluate(({ path, name }) => (window as unknown as LabWindow).sfuLab.join(path, name), { path, name });
  const welcome = await next(page, "welcome");
  return [page, welcome.id as string];
}

/** The page's next room message of `type` that was not an SFU reply (taken out of its inbox). */
async function next(page: Page, type: string): Promise<LabMessage> {
  const found = await page.waitForFunction((type) => (window as unknown as LabWindow).sfuLab.take(type), type, {
    timeout: 20_000,
    polling: 50,
  });
  return (await found.jsonValue()) as LabMessage;
}

describe.skipIf(inject("e2eSkip"))("SFU mode through the room, with Chromium", () => {
  let browser: Browser;
  let standin: SfuStandin;
  let server: WranglerServer;
  let assets = "";
  const logs: string[] = [];

  beforeAll(async () => {
    await sfuLabScript(); // Built once, before any page needs it.
    assets = await buildSecureSfuLab();
    standin = await startSfuStandin();
    server = await startWrangler({
      name: "natter (sfu)",
      assets,
      vars: {
        REALTIME_APP_ID: standin.appId,
        REALTIME_APP_SECRET: standin.appSecret,
        REALTIME_API_BASE: standin.apiBase,
      },
    });
    browser = await launchChromium(inject("e2eChromiumPath"), [
      `--use-file-for-fake-video-capture=${stillCameraFile()}`,
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await standin?.stop();
    if (assets) await rm(assets, { recursive: true, force: true });
  });

  it("carries page A's camera to page B through SfuSession, with room messages only", async () => {
    const path = `/api/rooms/${await roomIdFor(`sfu-${Date.now()}`)}/ws`;
    const [a, aId] = await joinRoom(browser, server.baseUrl, path, "A");
    const [b] = await joinRoom(browser, server.baseUrl, path, "B");

    const published = await a.evaluate(() => (window as unknown as LabWindow).sfuLab.publishCamera("camera"));
    expect(published).toEqual([{ mid: expect.any(String), trackName: "camera" }]);

    expect(await next(b, "sfu-tracks")).toEqual({ type: "sfu-tracks", id: aId, tracks: ["camera"] });
    const pulled = await b.evaluate((from) => (window as unknown as LabWindow).sfuLab.pull(from, ["camera"]), aId);
    expect(pulled).toEqual([{ from: aId, trackName: "camera", mid: expect.any(String), kind: "video" }]);
    expect(await b.evaluate(() => (window as unknown as LabWindow).sfuLab.handedOut())).toEqual(pulled);

    const frames = await waitForDecodedFrames(b, () => (window as unknown as LabWindow).sfuLab.framesDecoded());
    if (frames === 0) {
      // Where the media stopped, for the failure message.
      const state = (page: Page) => page.evaluate(() => (window as unknown as LabWindow).sfuLab.connectionState());
      const tracks = (standin.server.registry as unknown as { tracks: Map<string, { receivedPackets: number }> })
        .tracks;
      const received = [...tracks.values()].map((t) => t.receivedPackets);
      const where = `A ${await state(a)}, B ${await state(b)}, SFU received packets per track: ${received}`;
      expect(frames, `page B decoded no frame of page A's camera (${where})`).toBeGreaterThan(0);
    }

    // Both close their tracks with offers the SFU answers; B hears that A publishes nothing now.
    const bMid = pulled[0]!.mid;
    expect(await b.evaluate((mid) => (window as unknown as LabWindow).sfuLab.close([mid]), bMid)).toEqual([bMid]);
    const aMid = published[0]!.mid;
    expect(await a.evaluate((mid) => (window as unknown as LabWindow).sfuLab.close([mid]), aMid)).toEqual([aMid]);
    expect(await next(b, "sfu-tracks")).toEqual({ type: "sfu-tracks", id: aId, tracks: [] });

    // Every SFU reply went to SfuRequests, none was left over; no error came back.
    for (const page of [a, b])
      expect(await page.evaluate(() => (window as unknown as LabWindow).sfuLab.take("error"))).toBeNull();

    // No frame either page received from the room carries the app secret.
    for (const page of [a, b]) {
      const frames = await page.evaluate(() => (window as unknown as LabWindow).sfuLab.roomFrames());
      expect(frames.length).toBeGreaterThan(2);
      for (const frame of frames) expect(frame).not.toContain(standin.appSecret);
    }
    await a.context().close();
    await b.context().close();
  });

  /** The lab page at the room's origin, joined as `name` (with keys, or as a plain member without any). */
  async function open(path: string, name: string, secure: boolean): Promise<[Page, string]> {
    const context = await browser.newContext({ permissions: ["camera", "microphone"] });
    const page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") logs.push(`${name}: ${message.text()}`);
    });
    page.on("pageerror", (error) => logs.push(`${name}: ${error.message}`));
    await page.goto(`${server.baseUrl}/sfu-lab/`);
    await page.waitForFunction(() => "secureLab" in window);
    if (secure) {
      const id = await page.evaluate(({ path, name }) => (window as unknown as LabWindow).secureLab.join(path, name), {
        path,
        name,
      });
      return [page, id];
    }
    await page.evaluate(({ path, name }) => (window as unknown as LabWindow).sfuLab.join(path, name), { path, name });
    return [page, (await next(page, "welcome")).id as string];
  }

  it("lets a member decode page A's camera through the SFU while a page without keys gets garbage, and A and B share a safety code", async () => {
    const path = `/api/rooms/${await roomIdFor(`sfu-e2ee-${Date.now()}`)}/ws`;
    // A publishes first, so each later join makes A rotate: B's first key from A is one A does not
    // use yet, and C's join rotates again while B is pulling.
    const [a, aId] = await open(path, "A", true);
    const [published] = await a.evaluate(() => (window as unknown as LabWindow).sfuLab.publishCamera("camera"));
    expect(published).toEqual({ mid: expect.any(String), trackName: "camera" });
    const [b, bId] = await open(path, "B", true);
    const [c, cId] = await open(path, "C", false);
    for (const page of [b, c]) expect(await next(page, "sfu-tracks")).toMatchObject({ id: aId, tracks: ["camera"] });
    // B pulls once it holds the key A encrypts with (readable); C just pulls.
    const [pulled] = await b.evaluate((from) => (window as unknown as LabWindow).secureLab.pull(from, ["camera"]), aId);
    await c.evaluate((from) => (window as unknown as LabWindow).sfuLab.pull(from, ["camera"]), aId);

    const video = (page: Page) => page.evaluate(() => (window as unknown as LabWindow).sfuLab.videoIn());
    const picture = (page: Page) => page.evaluate(() => (window as unknown as LabWindow).sfuLab.picture());
    const bFirst = await until(
      "B decoding A's camera",
      () => video(b),
      (v) => v.framesDecoded > 10,
    );
    await until(
      "B's video still rising",
      () => video(b),
      (v) => v.framesDecoded > bFirst.framesDecoded + 10,
    );
    const cVideo = await until(
      "C receiving A's forwarded frames",
      () => video(c),
      (v) => v.framesReceived > 20,
    );
    const pictures = { b: await picture(b), c: await picture(c) };
    console.info(
      `sfu e2ee: C decoded ${cVideo.framesDecoded} of ${cVideo.framesReceived} frames; pictures ${JSON.stringify(pictures)}`,
    );
    expect(isRedBlue(pictures.b), "B sees A's camera").toBe(true);
    expect(isRedBlue(pictures.c), "C, without the key, does not see A's camera").toBe(false);

    // A encrypted every frame it sent; B decrypted A's and dropped none as forged or malformed.
    const aStats = await a.evaluate(() => (window as unknown as LabWindow).secureLab.stats());
    expect(aStats.encrypted).toBeGreaterThan(20);
    expect(aStats.unsent).toBe(0);
    const fromA = (await b.evaluate(() => (window as unknown as LabWindow).secureLab.stats())).received[aId]!;
    expect(total(fromA.decrypted)).toBeGreaterThan(10);
    expect((fromA.dropped.forged ?? 0) + (fromA.dropped.malformed ?? 0)).toBe(0);
    // Pulled only once readable: not one frame came under a key B did not hold; and A rotated for the joins.
    expect(fromA.dropped["no-key"]).toBeUndefined();
    expect(aStats.keyId).toBeGreaterThan(0);
    console.info(
      `sfu e2ee: B decrypted per key id ${JSON.stringify(fromA.decrypted)}, dropped ${JSON.stringify(fromA.dropped)}`,
    );

    // The pair's safety code, computed in each page over the identity keys exchanged through the room.
    const code = (page: Page, peer: string) =>
      page.evaluate((peer) => (window as unknown as LabWindow).secureLab.safetyCode(peer), peer);
    const codes = await until(
      "A and B's safety codes",
      async () => [await code(a, bId), await code(b, aId)],
      (pair) => pair.every((c) => c !== "waiting"),
    );
    expect(codes[0]).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(codes[1]).toBe(codes[0]);
    // C never showed an identity: A has no code with it, and sent it no key.
    expect(await code(a, cId)).toBe("waiting");
    const toC = await c.evaluate(() => (window as unknown as LabWindow).sfuLab.roomFrames());
    expect(toC.filter((frame) => frame.includes('"sender-key"'))).toEqual([]);

    // Tearing down tracks that have transforms, as SfuSession does it (stopped transceivers in an
    // offer the SFU answers): stopping a receiver with a transform once crashed Chromium 156.
    // Then the pages are closed with their transforms live. Every page and the browser survive.
    const close = (page: Page, mid: string) =>
      page.evaluate((mid) => (window as unknown as LabWindow).sfuLab.close([mid]), mid);
    expect(await close(b, pulled!.mid)).toEqual([pulled!.mid]);
    expect(await close(a, published!.mid)).toEqual([published!.mid]);
    for (const page of [a, b, c]) expect(await page.evaluate(() => document.readyState)).toBe("complete");
    expect(logs).toEqual([]);
    for (const page of [a, b, c]) await page.context().close();
    expect(browser.isConnected()).toBe(true);
  });
});
