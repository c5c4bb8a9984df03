/**
 * SFU mode's server side with real Chromium: two pages in one natter room send each other
 * nothing but room messages, and the room (a `wrangler dev` of its own, with REALTIME_*
 * pointing at the local stand-in) makes every SFU request. Page A publishes its camera, page B
 * hears of it, pulls it through the room and decodes it. The pages run plain RTCPeerConnection
 * code on a blank same-origin document (the call engine does not use SFU mode yet), and never
 * see the app secret.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { roomIdFor } from "../../common/room-id";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { launchChromium, MEDIA_TIMEOUT_MS } from "../helpers/browser";

type Message = { type: string; [field: string]: unknown };
type RoomPage = Window & { inbox: Message[]; roomFrames: string[]; room: WebSocket; pc: RTCPeerConnection };

/** A blank page at the room's origin with the room's socket open and joined as `name`; returns its peer id. */
async function joinRoom(browser: Browser, baseUrl: string, path: string, name: string): Promise<[Page, string]> {
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/api/health`);
  await page.evaluate(
    async ({ path, name }) => {
      const w = window as unknown as RoomPage;
      w.inbox = [];
      w.roomFrames = [];
      w.room = new WebSocket(`${location.origin.replace(/^http/, "ws")}${path}`);
      w.room.onmessage = ({ data }) => {
        w.roomFrames.push(String(data));
        if (typeof data === "string" && data.startsWith("{")) w.inbox.push(JSON.parse(data) as Message);
      };
      await new Promise((resolve, reject) => {
        w.room.onopen = resolve;
        w.room.onerror = reject;
      });
      w.room.send(JSON.stringify({ type: "join", name }));
    },
    { path, name },
  );
  const welcome = await next(page, "welcome");
  return [page, welcome.id as string];
}

/** The page's next room message of `type` (taken out of its inbox). */
async function next(page: Page, type: string): Promise<Message> {
  const found = await page.waitForFunction(
    (type) => {
      const w = window as unknown as RoomPage;
      const at = w.inbox.findIndex((m) => m.type === type);
      return at < 0 ? null : w.inbox.splice(at, 1)[0];
    },
    type,
    { timeout: 20_000, polling: 50 },
  );
  return (await found.jsonValue()) as Message;
}

async function sendToRoom(page: Page, message: Message): Promise<void> {
  await page.evaluate((m) => (window as unknown as RoomPage).room.send(JSON.stringify(m)), message);
}

describe.skipIf(inject("e2eSkip"))("SFU mode through the room, with Chromium", () => {
  let browser: Browser;
  let standin: SfuStandin;
  let server: WranglerServer;

  beforeAll(async () => {
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

  it("carries page A's camera to page B with room messages only (publish, announce, pull, renegotiate)", async () => {
    const path = `/api/rooms/${await roomIdFor(`sfu-${Date.now()}`)}/ws`;
    const [a, aId] = await joinRoom(browser, server.baseUrl, path, "A");
    const [b] = await joinRoom(browser, server.baseUrl, path, "B");

    const offer = await a.evaluate(async () => {
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
      const transceiver = pc.addTransceiver(stream.getVideoTracks()[0]!, { direction: "sendonly" });
      await pc.setLocalDescription(await pc.createOffer());
      (window as unknown as RoomPage).pc = pc;
      return { sdp: pc.localDescription?.sdp ?? "", mid: transceiver.mid ?? "" };
    });
    await sendToRoom(a, { type: "sfu-publish", offer: offer.sdp, tracks: [{ mid: offer.mid, trackName: "camera" }] });
    const published = await next(a, "sfu-published");
    await a.evaluate(
      (sdp) => (window as unknown as RoomPage).pc.setRemoteDescription({ type: "answer", sdp }),
      published.answer as string,
    );

    expect(await next(b, "sfu-tracks")).toEqual({ type: "sfu-tracks", id: aId, tracks: ["camera"] });
    await sendToRoom(b, { type: "sfu-pull", from: aId, tracks: ["camera"] });
    const pulled = await next(b, "sfu-pulled");
    const answer = await b.evaluate(async (sdp) => {
      const pc = new RTCPeerConnection();
      pc.ontrack = ({ track }) => {
        // A playing <video> pulls frames through the decoder.
        const video = document.createElement("video");
        video.muted = true;
        video.autoplay = true;
        video.srcObject = new MediaStream([track]);
        document.body.append(video);
        void video.play();
      };
      await pc.setRemoteDescription({ type: "offer", sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      (window as unknown as RoomPage).pc = pc;
      return pc.localDescription?.sdp ?? "";
    }, pulled.offer as string);
    await sendToRoom(b, { type: "sfu-renegotiate", answer });
    await next(b, "sfu-renegotiated");

    const decoded = async () =>
      b.evaluate(async () => {
        let frames = 0;
        (await (window as unknown as RoomPage).pc.getStats()).forEach((s) => {
          if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded ?? 0;
        });
        return frames;
      });
    const deadline = Date.now() + MEDIA_TIMEOUT_MS;
    let frames = 0;
    while (frames === 0 && Date.now() < deadline) {
      frames = await decoded();
      if (frames === 0) await b.waitForTimeout(100);
    }
    if (frames === 0) {
      // Where the media stopped, for the failure message.
      const state = (page: Page) => page.evaluate(() => (window as unknown as RoomPage).pc.connectionState);
      const tracks = (standin.server.registry as unknown as { tracks: Map<string, { receivedPackets: number }> })
        .tracks;
      const received = [...tracks.values()].map((t) => t.receivedPackets);
      const where = `A ${await state(a)}, B ${await state(b)}, SFU received packets per track: ${received}`;
      expect(frames, `page B decoded no frame of page A's camera (${where})`).toBeGreaterThan(0);
    }

    // No frame either page received from the room carries the app secret.
    for (const page of [a, b]) {
      const frames = await page.evaluate(() => (window as unknown as RoomPage).roomFrames);
      expect(frames.length).toBeGreaterThan(2);
      for (const frame of frames) expect(frame).not.toContain(standin.appSecret);
    }
    await a.context().close();
    await b.context().close();
  });
});
