/**
 * Simulcast through the SFU stand-in, with real Chromium (issue #18: "each receiver pulls the layer
 * that fits its tile"). Page A publishes one camera in three encodings (RIDs f, h, q: full, half and
 * quarter size), as Cloudflare's simulcast page shows ("Publish multiple encodings"). Page B pulls it
 * preferring `q`, page C preferring `f` ("Subscribe to a simulcast track"); each decodes the layer it
 * asked for, told apart by the decoded frame width. Then B changes its layer with
 * `PUT tracks/update` ("Change the received layer") and its picture grows without a new
 * negotiation. The HTTP API is driven from Node, where the App Secret stays.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { launchChromium, MEDIA_TIMEOUT_MS } from "../helpers/browser";
import { RealtimeApi } from "../sfu-standin/support/api";

/**
 * The camera's width: the f layer; h is half of it and q a quarter. Chromium sends three layers
 * only from about 960×540 up (fewer for smaller pictures).
 */
const WIDTH = 960;

type PageWithPc = Window & { pc: RTCPeerConnection };

/** Runs in the page: the width of the video its one connection decodes now, and how many frames so far. */
async function readDecoding(): Promise<{ frames: number; width: number }> {
  const stats = await (window as unknown as PageWithPc).pc.getStats();
  let frames = 0;
  let width = 0;
  stats.forEach((stat: { type: string; kind?: string; framesDecoded?: number; frameWidth?: number }) => {
    if (stat.type !== "inbound-rtp" || stat.kind !== "video") return;
    frames += stat.framesDecoded ?? 0;
    width = Math.max(width, stat.frameWidth ?? 0);
  });
  return { frames, width };
}

/** Polls until page `page` decodes frames `width` wide (frames still arriving); returns the width it last saw. */
async function decodesAtWidth(page: Page, width: number): Promise<number> {
  const deadline = Date.now() + MEDIA_TIMEOUT_MS;
  let last = { frames: 0, width: 0 };
  while (Date.now() < deadline) {
    const now = await page.evaluate(readDecoding);
    if (now.width === width && now.frames > last.frames && last.width === width) return width;
    last = now;
    await page.waitForTimeout(250);
  }
  return last.width;
}

async function blankPage(browser: Browser, baseUrl: string): Promise<Page> {
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/api/health`);
  return page;
}

/** Pulls A's camera into a new session for `page`, preferring `rid`; returns the session id and the mid. */
async function pull(api: RealtimeApi, page: Page, publisherSession: string, rid: string) {
  const sessionId = (await api.newSession()).body.sessionId as string;
  const simulcast = { preferredRid: rid, priorityOrdering: "none", ridNotAvailable: "asciibetical" };
  const pulled = await api.newTracks(sessionId, {
    tracks: [{ location: "remote", sessionId: publisherSession, trackName: "camera", simulcast }],
  });
  expect(pulled.status).toBe(200);
  const [track] = pulled.body.tracks;
  expect(track.errorCode).toBeUndefined();
  expect(track.simulcast).toEqual(simulcast);
  const answer = await page.evaluate(async (sfuOffer) => {
    const pc = new RTCPeerConnection();
    pc.ontrack = ({ track }) => {
      const video = document.createElement("video");
      video.muted = true;
      video.autoplay = true;
      video.srcObject = new MediaStream([track]);
      document.body.append(video);
      void video.play();
    };
    await pc.setRemoteDescription(sfuOffer);
    await pc.setLocalDescription(await pc.createAnswer());
    (window as unknown as PageWithPc).pc = pc;
    return pc.localDescription?.sdp ?? "";
  }, pulled.body.sessionDescription);
  expect((await api.renegotiate(sessionId, { sessionDescription: { type: "answer", sdp: answer } })).status).toBe(200);
  return { sessionId, mid: track.mid as string };
}

describe.skipIf(inject("e2eSkip"))("simulcast through the SFU stand-in, with Chromium", () => {
  const baseUrl = inject("e2eBaseUrl");
  let browser: Browser;
  let standin: SfuStandin;

  beforeAll(async () => {
    browser = await launchChromium(inject("e2eChromiumPath"));
    standin = await startSfuStandin();
  });
  afterAll(async () => {
    await browser?.close();
    await standin?.stop();
  });

  it("forwards to each subscriber the layer it prefers, and switches one on tracks/update", async () => {
    const api = new RealtimeApi(standin);
    const publisher = await blankPage(browser, baseUrl);
    const small = await blankPage(browser, baseUrl);
    const large = await blankPage(browser, baseUrl);

    const sessionA = (await api.newSession()).body.sessionId as string;
    const offer = await publisher.evaluate(async (width) => {
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width, height: (width * 9) / 16 } });
      const [track] = stream.getVideoTracks();
      if (!track) throw new Error("no camera track");
      const transceiver = pc.addTransceiver(track, {
        direction: "sendonly",
        sendEncodings: [
          { rid: "f", scaleResolutionDownBy: 1 },
          { rid: "h", scaleResolutionDownBy: 2 },
          { rid: "q", scaleResolutionDownBy: 4 },
        ],
      });
      await pc.setLocalDescription(await pc.createOffer());
      (window as unknown as PageWithPc).pc = pc;
      return { sdp: pc.localDescription?.sdp ?? "", mid: transceiver.mid ?? "" };
    }, WIDTH);
    expect(offer.sdp).toMatch(/a=simulcast:send f;h;q/);
    const published = await api.newTracks(sessionA, {
      sessionDescription: { type: "offer", sdp: offer.sdp },
      tracks: [{ location: "local", mid: offer.mid, trackName: "camera" }],
    });
    expect(published.status).toBe(200);
    // The SFU takes all three: its answer receives them.
    expect(published.body.sessionDescription.sdp).toMatch(/a=simulcast:recv f;h;q/);
    await publisher.evaluate(async (answer) => {
      // Start at a bitrate that carries all three layers, as natter's own client asks of the SFU
      // (x-google-start-bitrate): the stand-in estimates no bandwidth, so Chromium would otherwise
      // climb from its default for many seconds before turning the larger layers on.
      const sdp = answer.sdp.replace(
        /a=rtpmap:(\d+) VP8\/90000\r\n/,
        (line: string, pt: string) => `${line}a=fmtp:${pt} x-google-start-bitrate=2000\r\n`,
      );
      await (window as unknown as PageWithPc).pc.setRemoteDescription({ type: "answer", sdp });
    }, published.body.sessionDescription);

    const b = await pull(api, small, sessionA, "q");
    await pull(api, large, sessionA, "f");
    expect(await decodesAtWidth(small, WIDTH / 4), "B asked for the quarter-size layer").toBe(WIDTH / 4);
    expect(await decodesAtWidth(large, WIDTH), "C asked for the full-size layer").toBe(WIDTH);

    // B's tile grew: it asks for the half-size layer on the same transceiver, without renegotiating.
    const simulcast = { preferredRid: "h", priorityOrdering: "none", ridNotAvailable: "asciibetical" };
    const updated = await api.updateTracks(b.sessionId, {
      tracks: [{ location: "remote", sessionId: sessionA, trackName: "camera", mid: b.mid, simulcast }],
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({
      requiresImmediateRenegotiation: false,
      tracks: [{ location: "remote", sessionId: sessionA, trackName: "camera", mid: b.mid, simulcast }],
    });
    expect(await decodesAtWidth(small, WIDTH / 2), "B switched to the half-size layer").toBe(WIDTH / 2);
    // C is unaffected by B's choice.
    expect(await decodesAtWidth(large, WIDTH), "C still gets the full-size layer").toBe(WIDTH);

    for (const page of [publisher, small, large]) await page.context().close();
  });
});
