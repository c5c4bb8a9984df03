/**
 * SFU mode end to end encrypted, in real Chromium, through a real room (`wrangler dev`) and the
 * local SFU stand-in: the browser's SfuSession with SfuSecurity (frontend/call/sfu/), on the
 * secure SFU lab page (sfu-lab/secure.ts) served at the room's origin under the app's own
 * Content-Security-Policy. Keys, identities and safety-code frames travel only as relayed
 * `{e2ee}` signals over the room socket.
 *
 * Page A publishes a still red/blue camera, encrypted. Page B, a member holding A's key, pulls it
 * through the SFU and sees the red/blue picture. Page C, in the same room but with no keys and no
 * transform, pulls the very same forwarded track: what the SFU forwards, its decoder turns into
 * no picture or garbage. A and B compute the same safety code over their identity keys.
 */
import { rm } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { roomIdFor } from "../../common/room-id";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { launchChromium } from "../helpers/browser";
import { isRedBlue, stillCameraFile, until } from "../helpers/e2ee-lab";
import { buildSecureSfuLab } from "../helpers/sfu-lab";
import type { LabMessage, SfuLab } from "./sfu-lab/lab";
import type { SecureLab } from "./sfu-lab/secure";

type LabWindow = Window & { sfuLab: SfuLab; secureLab: SecureLab };

/** The page's next room message of `type` that neither SFU requests nor SfuSecurity took. */
async function next(page: Page, type: string): Promise<LabMessage> {
  const found = await page.waitForFunction((type) => (window as unknown as LabWindow).sfuLab.take(type), type, {
    timeout: 20_000,
    polling: 50,
  });
  return (await found.jsonValue()) as LabMessage;
}

const total = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

describe.skipIf(inject("e2eSkip"))("SFU mode, end-to-end encrypted, with Chromium", () => {
  let browser: Browser;
  let standin: SfuStandin;
  let server: WranglerServer;
  let assets = "";
  const logs: string[] = [];

  beforeAll(async () => {
    const t0 = Date.now();
    assets = await buildSecureSfuLab();
    const t1 = Date.now();
    standin = await startSfuStandin();
    const t2 = Date.now();
    server = await startWrangler({
      name: "natter (sfu e2ee)",
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
    console.info(`TIMING build ${t1 - t0} standin ${t2 - t1} wrangler+browser ${Date.now() - t2}`);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await standin?.stop();
    if (assets) await rm(assets, { recursive: true, force: true });
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
    const [a, aId] = await open(path, "A", true);
    const [b, bId] = await open(path, "B", true);
    const [c, cId] = await open(path, "C", false);

    expect(await a.evaluate(() => (window as unknown as LabWindow).sfuLab.publishCamera("camera"))).toEqual([
      { mid: expect.any(String), trackName: "camera" },
    ]);
    for (const page of [b, c]) expect(await next(page, "sfu-tracks")).toMatchObject({ id: aId, tracks: ["camera"] });
    // B pulls once it holds the key A encrypts with; C just pulls.
    await b.evaluate((from) => (window as unknown as LabWindow).secureLab.pull(from, ["camera"]), aId);
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

    expect(logs).toEqual([]);
    for (const page of [a, b, c]) await page.context().close();
    console.info(`TIMING closed; browser connected: ${browser.isConnected()}`);
  });
});
