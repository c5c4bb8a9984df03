/**
 * End-to-end media encryption (frontend/call/e2ee/) in real Chromium: the lab page
 * (e2ee-lab/) is built by Vite as the app is, and served with the app's own security headers,
 * so the worker loads under the real Content-Security-Policy. Alice sends her fake camera and
 * microphone over loopback connections, encrypted by the transform; each receiver is a member
 * (decrypts with the keys from the real key exchange), a stranger with a wrong key, or a plain
 * connection without any transform, which is what an SFU sees and forwards.
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { TransformStats } from "../../frontend/call/e2ee/transform-messages";
import { SECURITY_HEADERS } from "../../worker/security-headers";
import { launchChromium, MEDIA_TIMEOUT_MS } from "../helpers/browser";
import type { Lab, ReceiverKind, ReceiverSample } from "./e2ee-lab/lab";

const LAB = fileURLToPath(new URL("./e2ee-lab/", import.meta.url));
const OUT = join(tmpdir(), `natter-e2ee-lab-${process.pid}`);
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
/** Frames under the new key bob must decrypt before a sample counts as "after the switch". */
const SETTLE_FRAMES = 60;

/** The built lab, with the headers every natter response carries. */
function serve(): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url ?? "/", "http://lab").pathname).replace(/^\/+/, "") || "index.html";
    try {
      const body = await readFile(join(OUT, path));
      response.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": TYPES[extname(path)] ?? "text/plain" });
      response.end(body);
    } catch {
      response.writeHead(404, SECURITY_HEADERS).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + MEDIA_TIMEOUT_MS;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline)
      throw new Error(`${what} within ${MEDIA_TIMEOUT_MS / 1000} s; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    value = await read();
  }
  return value;
}

/**
 * Frames a member dropped as forged or malformed. (Chromium now and then hands a receiver
 * transform a frame twice or very late: those count as replays and are dropped, which is fine.)
 */
const authenticationFailures = (r: ReceiverSample) =>
  (r.worker?.dropped.forged ?? 0) + (r.worker?.dropped.malformed ?? 0);
const total = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

describe.skipIf(inject("e2eSkip"))("end-to-end media encryption in real Chromium", () => {
  let server: Server;
  let browser: Browser;
  let origin = "";
  const logs: string[] = [];

  beforeAll(async () => {
    await build({
      root: LAB,
      configFile: false,
      logLevel: "warn",
      build: { outDir: OUT, emptyOutDir: true, target: "esnext", modulePreload: { polyfill: false } },
      worker: { format: "es" },
    });
    server = await serve();
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium(inject("e2eChromiumPath"));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function open(api: "script-transform" | "encoded-streams", receivers: Record<string, ReceiverKind>) {
    const context = await browser.newContext({ permissions: ["camera", "microphone"] });
    const page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") logs.push(message.text());
    });
    page.on("pageerror", (error) => logs.push(error.message));
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => "lab" in window);
    const list = Object.entries(receivers).map(([name, kind]) => ({ name, kind }));
    await page.evaluate(({ api, list }) => (window as unknown as { lab: Lab }).lab.start({ api, receivers: list }), {
      api,
      list,
    });
    return page;
  }

  const receivers = async (page: Page) =>
    Object.fromEntries(
      (await page.evaluate(() => (window as unknown as { lab: Lab }).lab.receivers())).map((r) => [r.name, r]),
    ) as Record<string, ReceiverSample>;
  const sender = (page: Page): Promise<TransformStats> =>
    page.evaluate(() => (window as unknown as { lab: Lab }).lab.sender());

  it("runs on the standard API with X25519, under the app's Content-Security-Policy", async () => {
    const page = await open("script-transform", {});
    const lab = await page.evaluate(() => {
      const { api, x25519 } = (window as unknown as { lab: Lab }).lab;
      return { api, x25519 };
    });
    expect(lab).toEqual({ api: "script-transform", x25519: true });
    await page.context().close();
  });

  for (const api of ["script-transform", "encoded-streams"] as const) {
    it(`lets only a member decode (${api}): a wrong key drops every frame, and without a transform the decoders get only garbage`, async () => {
      const page = await open(api, { bob: "member", eve: "wrong-key", mallory: "no-transform" });
      // Bob decodes video and hears audio, and keeps doing so.
      const first = await until(
        "bob decoding video and audio",
        () => receivers(page),
        (r) => r.bob!.framesDecoded > 10 && r.bob!.audioEnergy > 0,
      );
      const later = await until(
        "bob's video still rising",
        () => receivers(page),
        // Two seconds of audio at 48 kHz on both, to compare how loud it decodes.
        (r) =>
          r.bob!.framesDecoded > first.bob!.framesDecoded + 10 &&
          r.mallory!.audioSamples > first.mallory!.audioSamples + 96_000 &&
          r.bob!.audioSamples > first.bob!.audioSamples + 96_000,
      );
      const { bob, eve, mallory } = later as Record<string, ReceiverSample>;
      expect(authenticationFailures(bob!)).toBe(0);
      expect((await sender(page)).encrypted).toBeGreaterThan(0);
      // Eve gets every frame, authenticates none, and hands her depacketizer and decoder nothing.
      expect(eve!.framesReceived).toBe(0);
      expect(eve!.framesDecoded).toBe(0);
      expect(total(eve!.worker!.decrypted)).toBe(0);
      expect(eve!.worker!.dropped.forged).toBeGreaterThan(bob!.framesDecoded / 2);
      expect(eve!.audioEnergy).toBe(0);
      // Mallory's decoders get the frames as they travel. VP8 refuses nearly all of them (the
      // readable header lets a few key frames through as garbage pictures), and Opus turns the
      // ciphertext into noise: far louder than the steady tone bob hears.
      expect(mallory!.framesReceived).toBeGreaterThan(bob!.framesDecoded / 2);
      expect(mallory!.framesDecoded).toBeLessThan(mallory!.framesReceived / 4);
      const loudness = (name: string) =>
        (later[name]!.audioEnergy - first[name]!.audioEnergy) / (later[name]!.audioSamples - first[name]!.audioSamples);
      console.info(
        `e2ee lab (${api}): mallory decoded ${mallory!.framesDecoded} of ${mallory!.framesReceived} video frames; audio ${(loudness("mallory") / loudness("bob")).toFixed(1)}× bob's energy`,
      );
      expect(loudness("mallory")).toBeGreaterThan(10 * loudness("bob"));
      expect(logs.filter((line) => /Content.Security.Policy/i.test(line))).toEqual([]);
      await page.context().close();
    });
  }

  it("keeps frames flowing through a rotation when someone leaves, and the leaver stops decrypting", async () => {
    const page = await open("script-transform", { bob: "member", carol: "member" });
    await until(
      "bob and carol decoding",
      () => receivers(page),
      (r) => r.bob!.framesDecoded > 10 && r.carol!.framesDecoded > 10,
    );
    await page.evaluate(() => (window as unknown as { lab: Lab }).lab.leave("carol"));
    // Alice switches to generation 1 (key id 1) once bob has had time to receive it.
    await until(
      "alice encrypting under the new key",
      () => sender(page),
      (s) => s.keyId === 1,
    );
    const switched = await until(
      "bob decrypting under the new key",
      () => receivers(page),
      (r) => (r.bob!.worker!.decrypted[1] ?? 0) >= SETTLE_FRAMES,
    );
    const after = await until(
      "bob still decoding after the switch",
      () => receivers(page),
      (r) =>
        r.bob!.framesDecoded > switched.bob!.framesDecoded + 20 &&
        (r.bob!.worker!.decrypted[1] ?? 0) > (switched.bob!.worker!.decrypted[1] ?? 0) + 60,
    );
    // No frame of bob's was lost to the rotation: none arrived under a key he did not hold yet.
    expect(after.bob!.worker!.dropped["no-key"]).toBeUndefined();
    expect(authenticationFailures(after.bob!)).toBe(0);
    // Carol still receives every frame but holds no key for them any more.
    expect(total(after.carol!.worker!.decrypted)).toBe(total(switched.carol!.worker!.decrypted));
    expect(after.carol!.worker!.decrypted[1]).toBeUndefined();
    expect(after.carol!.worker!.dropped["no-key"]).toBeGreaterThan(60);
    expect(after.carol!.framesDecoded).toBe(switched.carol!.framesDecoded);
    await page.context().close();
  });
});
