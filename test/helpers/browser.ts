/**
 * Real Chromium for the e2e tests: fake camera and microphone, and a way to read WebRTC stats
 * from outside the app so that tests can prove video frames arrive without any hook in product code.
 */
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM_ARGS } from "../../tooling/chromium-args";
import { fakeMicrophoneArgs } from "../../tooling/steady-voice";

/** How long a call gets to connect and start decoding; generous because two cores run wrangler and several browsers. */
export const MEDIA_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 500;
/** Gap between the two samples that must show framesDecoded rising; a 30 fps fake camera yields frames well within it. */
const RISE_SAMPLE_GAP_MS = 1_000;

/**
 * `extraArgs` for tests that need more, e.g. a camera file or an insecure origin treated as secure;
 * `voiceFile`, a WAV to use as the microphone instead of the steady voice (tooling/steady-voice.ts; it loops).
 */
export async function launchChromium(
  executablePath: string,
  extraArgs: string[] = [],
  { voiceFile }: { voiceFile?: string } = {},
): Promise<Browser> {
  const voice = fakeMicrophoneArgs(voiceFile);
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...voice, ...extraArgs] });
}

/**
 * A camera that films a person (a portrait photo between two sharp checkerboard strips, see
 * test/e2e/fixtures/README.md) instead of Chromium's moving test pattern, which has no one in it:
 * for tests of what background blur keeps and what it blurs. Not the default: the pattern moves,
 * this picture does not.
 */
export const PERSON_CAMERA_FILE = fileURLToPath(new URL("../e2e/fixtures/person-camera.y4m", import.meta.url));

export function personCameraArgs(): string[] {
  return [`--use-file-for-fake-video-capture=${PERSON_CAMERA_FILE}`];
}

/**
 * A 320×180 camera at 15 fps instead of the 960×540 at 24 the app asks for, as an init script:
 * every getUserMedia for video gets those width, height and frame rate, the rest of the app's
 * constraints untouched. For tests about what a call does, not how its picture looks: on two cores
 * a mesh of three or four Chromiums encoding 960×540 once per other person starves the machine
 * (a three-person UI test took 80 s, a four-person one 119 s) and makes freezes and timeouts that
 * are the machine's, not the app's. Video still goes through the real encoders, DTLS and decoders.
 */
export const SMALL_CAMERA = `(() => {
  const md = navigator.mediaDevices;
  if (!md || md.__small) return;
  const get = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => get(c && c.video ? { ...c, video: { ...(typeof c.video === "object" ? c.video : {}), width: 320, height: 180, frameRate: 15 } } : c);
  md.__small = true;
})();`;

/**
 * Runs before any page script: every RTCPeerConnection the app constructs is also remembered in
 * `window.__e2ePeerConnections`. A subclass (rather than a wrapper function) keeps `instanceof`,
 * static methods such as `generateCertificate`, and the constructor's name intact.
 * Kept as source text because it runs in the page, not in Node.
 */
export const RECORD_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  if (typeof Native !== "function" || window.__e2ePeerConnections) return;
  const list = [];
  Object.defineProperty(window, "__e2ePeerConnections", { value: list });
  const Recorded = class RTCPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      list.push(this);
    }
  };
  window.RTCPeerConnection = Recorded;
  if (window.webkitRTCPeerConnection === Native) window.webkitRTCPeerConnection = Recorded;
})();`;

/**
 * Likewise every WebSocket, in `window.__e2eSockets`, so that a test can drop the page's room
 * socket the way a network blip would (`close(4000)` from the page: no deliberate leave).
 */
export const RECORD_WEB_SOCKETS = `(() => {
  const Native = window.WebSocket;
  if (typeof Native !== "function" || window.__e2eSockets) return;
  const list = [];
  Object.defineProperty(window, "__e2eSockets", { value: list });
  const Recorded = class WebSocket extends Native {
    constructor(...args) {
      super(...args);
      list.push(this);
    }
  };
  window.WebSocket = Recorded;
})();`;

/** One simulated person: their own browser context (cookies, storage, permissions) and one tab. */
export interface Person {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors and console errors/warnings, printed when a test fails. */
  readonly log: string[];
}

export async function newPerson(
  browser: Browser,
  baseUrl: string,
  name: string,
  { locale }: { locale?: string } = {},
): Promise<Person> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    permissions: ["camera", "microphone"],
    // The browser's language (navigator.languages, Accept-Language); Playwright's default otherwise.
    ...(locale && { locale }),
  });
  await context.addInitScript({ content: RECORD_PEER_CONNECTIONS });
  await context.addInitScript({ content: RECORD_WEB_SOCKETS });
  const page = await context.newPage();
  const log: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning")
      log.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => log.push(`pageerror: ${error.stack ?? error.message}`));
  page.on("requestfailed", (request) =>
    log.push(`requestfailed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
  );
  page.on("websocket", (socket) => {
    log.push(`websocket opened: ${socket.url()}`);
    socket.on("close", () => log.push(`websocket closed: ${socket.url()}`));
    socket.on("socketerror", (error) => log.push(`websocket error: ${socket.url()} ${error}`));
  });
  return { name, context, page, log };
}

/**
 * Past the hair check: its Join button says "Join" ("Join to listen and watch" without a camera
 * or microphone). The room's socket opened while the hair check showed; this sends the join.
 */
export async function joinFromHairCheck(page: Page, timeoutMs = MEDIA_TIMEOUT_MS): Promise<void> {
  await page.getByRole("button", { name: /^Join/ }).click({ timeout: timeoutMs });
}

/** Video reception on one recorded RTCPeerConnection, as getStats reports it. */
export interface ConnectionVideo {
  /** Position in `window.__e2ePeerConnections`: stable for the life of the page, so samples can be compared. */
  index: number;
  connectionState: RTCPeerConnectionState;
  /** Not asserted on; they make a failure message say where a stuck connection stopped. */
  signalingState: RTCSignalingState;
  iceGatheringState: RTCIceGatheringState;
  iceConnectionState: RTCIceConnectionState;
  /** Sum of framesDecoded over the connection's video inbound-rtp streams; null while it has none. */
  framesDecoded: number | null;
}

export interface FramesDecoded {
  /** Sum over all live connections. */
  total: number;
  /** Every recorded connection that is not closed. */
  connections: ConnectionVideo[];
}

/** Reads framesDecoded from every live RTCPeerConnection the page has created. */
export async function framesDecoded(page: Page): Promise<FramesDecoded> {
  const connections = await page.evaluate(readVideoStats);
  const total = connections.reduce((sum, c) => sum + (c.framesDecoded ?? 0), 0);
  return { total, connections };
}

/** The loudest sound `page` receives now, over all its connections (getStats, inbound audioLevel). */
export function receivedAudioLevel(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const list = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
    let loudest = 0;
    for (const pc of list) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((report: { type: string; kind?: string; audioLevel?: number }) => {
        if (report.type === "inbound-rtp" && report.kind === "audio" && typeof report.audioLevel === "number")
          loudest = Math.max(loudest, report.audioLevel);
      });
    }
    return loudest;
  });
}

/**
 * Runs inside the page (serialised by Playwright or puppeteer), so it may only use browser globals.
 * Firefox's helper (firefox.ts) installs the same recorder and reads its connections with this too.
 */
export async function readVideoStats(): Promise<ConnectionVideo[]> {
  const recorded: RTCPeerConnection[] =
    (window as unknown as { __e2ePeerConnections?: RTCPeerConnection[] }).__e2ePeerConnections ?? [];
  const sampled = await Promise.all(
    recorded.map(async (pc, index): Promise<ConnectionVideo | null> => {
      // getStats() on a closed connection throws, and a closed one is a peer the app has let go.
      if (pc.connectionState === "closed") return null;
      let frames: number | null = null;
      try {
        const report = await pc.getStats();
        report.forEach((stat: { type?: string; kind?: string; framesDecoded?: number }) => {
          if (stat.type === "inbound-rtp" && stat.kind === "video") frames = (frames ?? 0) + (stat.framesDecoded ?? 0);
        });
      } catch {
        // Closed between the check and the call; treat it like any other closed connection.
        return null;
      }
      return {
        index,
        connectionState: pc.connectionState,
        signalingState: pc.signalingState,
        iceGatheringState: pc.iceGatheringState,
        iceConnectionState: pc.iceConnectionState,
        framesDecoded: frames,
      };
    }),
  );
  return sampled.filter((c): c is ConnectionVideo => c !== null);
}

/**
 * Waits until at least `expectedRemoteCount` live connections on `page` decode video AND keep doing so:
 * a non-zero framesDecoded could be a single frame from a call that then froze, so a second sample must be higher.
 */
export async function waitForDecodedVideoFrom(
  page: Page,
  expectedRemoteCount: number,
  timeoutMs = MEDIA_TIMEOUT_MS,
): Promise<FramesDecoded> {
  return waitForRisingFrames(() => framesDecoded(page), page.url(), expectedRemoteCount, timeoutMs);
}

/**
 * The rise check of waitForDecodedVideoFrom for any browser: `sample` reads the page's stats
 * (Playwright or puppeteer), `where` names the page in the failure message.
 */
export async function waitForRisingFrames(
  sample: () => Promise<FramesDecoded>,
  where: string,
  expectedRemoteCount: number,
  timeoutMs = MEDIA_TIMEOUT_MS,
): Promise<FramesDecoded> {
  const deadline = Date.now() + timeoutMs;
  let latest: FramesDecoded = { total: 0, connections: [] };
  let lastRiseCheck: { first: FramesDecoded; second: FramesDecoded } | null = null;
  while (Date.now() < deadline) {
    const first = await sample();
    latest = first;
    const decoding = first.connections.filter((c) => (c.framesDecoded ?? 0) > 0);
    if (decoding.length >= expectedRemoteCount) {
      await sleep(RISE_SAMPLE_GAP_MS);
      const second = await sample();
      latest = second;
      lastRiseCheck = { first, second };
      const rising = second.connections.filter((c) => {
        const earlier = decoding.find((d) => d.index === c.index);
        return earlier !== undefined && (c.framesDecoded ?? 0) > (earlier.framesDecoded ?? 0);
      });
      if (rising.length >= expectedRemoteCount) return second;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  const riseDetail = lastRiseCheck
    ? `\nLast rise check: ${JSON.stringify(lastRiseCheck.first.connections)} then, ${RISE_SAMPLE_GAP_MS} ms later, ` +
      JSON.stringify(lastRiseCheck.second.connections)
    : "\nNo sample ever had enough connections decoding video to check that frames keep arriving.";
  throw new Error(
    `Expected decoded video rising on at least ${expectedRemoteCount} live RTCPeerConnection(s) of ${where} ` +
      `within ${timeoutMs / 1000} s.\nLast sample: ${JSON.stringify(latest.connections)}${riseDetail}`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
