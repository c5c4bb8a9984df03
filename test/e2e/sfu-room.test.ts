/**
 * SFU mode with real Chromium: two pages in one natter room send each other nothing but room
 * messages, and the room (a `wrangler dev` of its own, with REALTIME_* pointing at the local
 * stand-in) makes every SFU request. Each page runs the browser's own SFU modules
 * (frontend/call/sfu/: SfuSession over SfuRequests, bundled into the SFU lab) on a blank
 * same-origin document, since the call engine does not use SFU mode yet. Page A publishes its
 * camera, page B hears of it, pulls it through the room and decodes it; then both close their
 * tracks with offers the SFU answers. Neither page ever sees the app secret.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { roomIdFor } from "../../common/room-id";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { launchChromium } from "../helpers/browser";
import { waitForDecodedFrames } from "../helpers/decoded-frames";
import { addSfuLab, sfuLabScript } from "../helpers/sfu-lab";
import type { LabMessage, SfuLab } from "./sfu-lab/lab";

type LabWindow = Window & { sfuLab: SfuLab };

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

  beforeAll(async () => {
    await sfuLabScript(); // Built once, before any page needs it.
    standin = await startSfuStandin();
    server = await startWrangler({
      name: "natter (sfu)",
      vars: {
        REALTIME_APP_ID: standin.appId,
        REALTIME_APP_SECRET: standin.appSecret,
        REALTIME_API_BASE: standin.apiBase,
      },
    });
    browser = await launchChromium(inject("e2eChromiumPath"));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await standin?.stop();
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
});
