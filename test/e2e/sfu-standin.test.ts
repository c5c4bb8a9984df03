/**
 * The SFU stand-in with real Chromium: page A publishes its (fake) camera through the stand-in,
 * page B pulls it with the renegotiation dance and decodes it. The HTTP API is driven from Node,
 * where the App Secret stays in the real design; the pages only do WebRTC. Not part of the app:
 * the pages run plain RTCPeerConnection code on a blank same-origin document.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { launchChromium, MEDIA_TIMEOUT_MS } from "../helpers/browser";
import { RealtimeApi } from "../sfu-standin/support/api";

/** Runs in the page: video frames its one connection has decoded so far. */
async function readFramesDecoded(): Promise<number> {
  const stats = await (window as unknown as { pc: RTCPeerConnection }).pc.getStats();
  let decoded = 0;
  stats.forEach((stat: { type: string; kind?: string; framesDecoded?: number }) => {
    if (stat.type === "inbound-rtp" && stat.kind === "video") decoded += stat.framesDecoded ?? 0;
  });
  return decoded;
}

/** A document at the test origin without the app: the Worker's health answer. */
async function blankPage(browser: Browser, baseUrl: string): Promise<Page> {
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/api/health`);
  return page;
}

describe.skipIf(inject("e2eSkip"))("SFU stand-in with Chromium", () => {
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

  it("forwards page A's camera to page B, which decodes it (publish, pull, renegotiate)", async () => {
    const api = new RealtimeApi(standin);
    const publisher = await blankPage(browser, baseUrl);
    const subscriber = await blankPage(browser, baseUrl);

    // Page A: a send-only camera transceiver; its offer goes to tracks/new as a local track.
    const sessionA = (await api.newSession()).body.sessionId as string;
    const offer = await publisher.evaluate(async () => {
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
      const [track] = stream.getVideoTracks();
      if (!track) throw new Error("no camera track");
      const transceiver = pc.addTransceiver(track, { direction: "sendonly" });
      await pc.setLocalDescription(await pc.createOffer());
      (window as unknown as { pc: RTCPeerConnection }).pc = pc;
      return { sdp: pc.localDescription?.sdp ?? "", mid: transceiver.mid ?? "" };
    });
    const published = await api.newTracks(sessionA, {
      sessionDescription: { type: "offer", sdp: offer.sdp },
      tracks: [{ location: "local", mid: offer.mid, trackName: "camera" }],
    });
    expect(published.status).toBe(200);
    expect(published.body.sessionDescription.type).toBe("answer");
    await publisher.evaluate(async (answer) => {
      await (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription(answer);
    }, published.body.sessionDescription);

    // Page B: pulls the track; the SFU's offer is answered and sent back through renegotiate.
    const startedPull = performance.now();
    const sessionB = (await api.newSession()).body.sessionId as string;
    const pulled = await api.newTracks(sessionB, {
      tracks: [{ location: "remote", sessionId: sessionA, trackName: "camera" }],
    });
    expect(pulled.status).toBe(200);
    expect(pulled.body.requiresImmediateRenegotiation).toBe(true);
    const answerSdp = await subscriber.evaluate(async (sfuOffer) => {
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
      await pc.setRemoteDescription(sfuOffer);
      await pc.setLocalDescription(await pc.createAnswer());
      (window as unknown as { pc: RTCPeerConnection }).pc = pc;
      return pc.localDescription?.sdp ?? "";
    }, pulled.body.sessionDescription);
    const renegotiated = await api.renegotiate(sessionB, { sessionDescription: { type: "answer", sdp: answerSdp } });
    expect(renegotiated.status).toBe(200);

    const deadline = Date.now() + MEDIA_TIMEOUT_MS;
    let decoded = 0;
    while (decoded === 0 && Date.now() < deadline) {
      decoded = await subscriber.evaluate(readFramesDecoded);
      if (decoded === 0) await subscriber.waitForTimeout(100);
    }
    expect(decoded, "page B decoded no frame of page A's camera").toBeGreaterThan(0);
    // A number for the report, never an assertion: from the pull request to B's first decoded frame.
    console.log(
      `sfu-standin: first frame decoded on B ${Math.round(performance.now() - startedPull)} ms after the pull`,
    );
    const source = standin.server.registry.find(sessionA, "camera");
    expect(source?.receivedPackets).toBeGreaterThan(0);
    await publisher.context().close();
    await subscriber.context().close();
  });
});
