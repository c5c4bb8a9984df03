/**
 * Joining a call in real Chromium with fake media: how long until the newest person sees someone,
 * where that time goes, and how much signaling the join costs. The same harness drives natter and
 * the floor page, so the two differ only in the page and the relay behind it.
 */
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM_ARGS as E2E_CHROMIUM_ARGS } from "../tooling/chromium-args";
import { fakeMicrophoneArgs } from "../tooling/steady-voice";
import { delay } from "../tooling/wrangler";
import { type ProbeState, probe, type SocketTally } from "./probe";

/**
 * The e2e tests' flags and microphone, plus: pages in background contexts must not be throttled,
 * since every simulated person is "in front". The steady voice (not Chromium's beeps, which flip
 * every tile's speaking ring and the active speaker twice a second) keeps a call as calm as a
 * real one, natter's pages and the floor's alike.
 */
const CHROMIUM_ARGS = [
  ...E2E_CHROMIUM_ARGS,
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
];

const STEP_TIMEOUT_MS = 45_000;
/** Quiet time before the measured person opens the link, so the others' own joins are not still settling. */
const SETTLE_BEFORE_MS = 1_000;
/** After everyone decodes everyone: late ICE candidates and media-state messages still belong to the join. */
const SETTLE_AFTER_MS = 1_500;

export type System = "natter" | "floor";

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...fakeMicrophoneArgs()] });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** How long any one step of this person's join may take. */
  timeoutMs: number;
  /** Page errors and console warnings, for a failed run's message. */
  log: string[];
}

let addresses = 0;

/**
 * Each person gets a made-up client address (198.18.0.0/15 is reserved for benchmarks): natter
 * limits room sockets per address, and a whole bench's worth of joins from one address would
 * measure the limiter instead of the join.
 */
function nextAddress(): string {
  addresses++;
  return `198.18.${(addresses >> 8) & 255}.${addresses & 255}`;
}

export async function newPerson(browser: Browser, smallVideo: boolean, timeoutMs = STEP_TIMEOUT_MS): Promise<Person> {
  const context = await browser.newContext({
    permissions: ["camera", "microphone"],
    extraHTTPHeaders: { "CF-Connecting-IP": nextAddress() },
    // Eight pages that each draw seven videos are mostly compositing work; small windows keep that in bounds.
    viewport: smallVideo ? { width: 480, height: 360 } : { width: 1280, height: 720 },
  });
  await context.addInitScript(probe, { smallVideo });
  const page = await context.newPage();
  const log: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") log.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (error) => log.push(`pageerror: ${error.message}`));
  return { context, page, timeoutMs, log };
}

declare global {
  interface Window {
    __bench: ProbeState;
  }
}

/**
 * Opens the link and gets the person into the call: through the hair check when there is one
 * (clicking Join as soon as it shows), or by waiting for the page to join by itself.
 */
export async function enter(person: Person, url: string, system: System): Promise<"hair-check" | "auto"> {
  const { page, timeoutMs } = person;
  await page.goto(url, { waitUntil: "commit", timeout: timeoutMs });
  const found = await page.waitForFunction(
    (system) => {
      const b = window.__bench;
      if (b.joinShownAt !== null) {
        const button = [...document.querySelectorAll("button")].find((e) => /^\s*Join/.test(e.textContent ?? ""));
        // In a small window the button may be below the fold, where a click at its coordinates lands nowhere.
        button?.scrollIntoView({ block: "center" });
        const box = button?.getBoundingClientRect();
        return { how: "hair-check", x: box ? box.x + box.width / 2 : -1, y: box ? box.y + box.height / 2 : -1 };
      }
      // The floor has no welcome: an open socket is all the "admission" it has.
      if ((system === "natter" ? b.welcomeAt : b.socketOpenAt) !== null) return { how: "auto", x: -1, y: -1 };
      return false;
    },
    system,
    { polling: "raf", timeout: timeoutMs },
  );
  const { how, x, y } = (await found.jsonValue()) as { how: "hair-check" | "auto"; x: number; y: number };
  if (how === "auto") return how;
  // A bare mouse click where the button was found: Playwright's locator click first checks that the
  // button is stable, visible and not covered, which costs a few hundred ms of harness time here.
  if (x >= 0) await page.mouse.click(x, y);
  const clicked = await page
    .waitForFunction(() => window.__bench.clickAt !== null || window.__bench.welcomeAt !== null, null, {
      polling: 50,
      timeout: 15_000,
    })
    .then(() => true)
    .catch(() => false);
  if (!clicked) {
    // Either the layout moved under the pointer, or the page is too busy to say yet that the click
    // landed. Click again, carefully, only if the button still says "Join": after a click that did
    // land it says "Joining…" and stays disabled until the room answers.
    const join = page.getByRole("button", { name: /^Join(?!ing)/ });
    if (await join.isEnabled({ timeout: 1_000 }).catch(() => false)) await join.click({ timeout: timeoutMs });
  }
  await page.waitForFunction(() => window.__bench.welcomeAt !== null, null, { polling: 50, timeout: timeoutMs });
  return how;
}

/** Until `count` remote peers have had a video frame decoded on this page. */
export async function waitForDecoding(person: Person, count: number): Promise<void> {
  if (count === 0) return;
  await person.page.waitForFunction(
    (count) => window.__bench.peers.filter((p) => p.firstFrameAt !== null).length >= count,
    count,
    { polling: 50, timeout: person.timeoutMs },
  );
}

export interface Tally {
  sent: SocketTally;
  received: SocketTally;
  byType: ProbeState["byType"];
}

async function tally(page: Page): Promise<Tally> {
  return page.evaluate(() => {
    const { sent, received, byType } = window.__bench;
    return { sent: { ...sent }, received: { ...received }, byType: JSON.parse(JSON.stringify(byType)) };
  });
}

/** Milliseconds since the measured person's navigation started, or null where a step did not happen. */
export interface JoinMarks {
  mode: "hair-check" | "auto";
  /** The Join button showed (hair check), else DOMContentLoaded. */
  ready: number;
  click: number | null;
  /** natter: the welcome arrived; floor: the socket opened. */
  welcomed: number;
  connectedFirst: number;
  connectedAll: number;
  frameFirst: number;
  frameAll: number;
  /** The processor-based first frame (cross-check of the getStats poll). */
  frameFirstProcessor: number | null;
}

export interface JoinCost {
  /** Frames all pages sent to the room (= what the room received) during the join, heartbeats excluded. */
  toRoom: SocketTally;
  /** Frames the room sent to all pages during the join. */
  fromRoom: SocketTally;
  byType: Record<string, { frames: number; bytes: number }>;
}

export interface JoinRun {
  system: System;
  people: number;
  smallVideo: boolean;
  marks: JoinMarks;
  cost: JoinCost;
}

export interface JoinOptions {
  system: System;
  baseUrl: string;
  people: number;
  smallVideo?: boolean;
  /** Per step (open, join, decode); defaults to 45 s. */
  stepTimeoutMs?: number;
  /** The whole run, after which every page is closed and the run fails; none by default. */
  runTimeoutMs?: number;
}

/** A fresh room's link: natter's room page, or the floor's call page. */
export function newCallUrl(system: System, baseUrl: string): string {
  const room = `bench-${randomBytes(6).toString("hex")}`;
  return system === "natter" ? `${baseUrl}/${room}` : `${baseUrl}/call/${room}`;
}

export async function runJoin(browser: Browser, options: JoinOptions): Promise<JoinRun> {
  const { system, people: count, smallVideo = false, stepTimeoutMs = STEP_TIMEOUT_MS } = options;
  const url = newCallUrl(system, options.baseUrl);
  const people: Person[] = [];
  // A run that cannot finish (eight people on a busy machine) must not eat the whole bench's time.
  let expired: string | null = null;
  const cap = options.runTimeoutMs
    ? setTimeout(async () => {
        // Marked at once, so that a step that times out meanwhile is reported as the cap; the pages
        // of a starved browser can take many seconds to describe themselves, so that is bounded too.
        expired = "";
        expired = await describe(people);
        await Promise.all(people.map((person) => person.context.close().catch(() => {})));
      }, options.runTimeoutMs)
    : undefined;
  const newcomer = async () => {
    if (expired !== null) throw new Error("out of time");
    const person = await newPerson(browser, smallVideo, stepTimeoutMs);
    people.push(person);
    return person;
  };
  try {
    for (let i = 0; i < count - 1; i++) {
      const person = await newcomer();
      await enter(person, url, system);
      await waitForDecoding(person, i);
    }
    await Promise.all(people.map((person) => waitForDecoding(person, count - 2)));
    await delay(SETTLE_BEFORE_MS);
    const before = await Promise.all(people.map((person) => tally(person.page)));

    const joiner = await newcomer();
    const mode = await enter(joiner, url, system);
    await waitForDecoding(joiner, count - 1);
    const marks = await readMarks(joiner.page, mode, count - 1);

    await Promise.all(people.map((person) => waitForDecoding(person, count - 1)));
    await delay(SETTLE_AFTER_MS);
    const after = await Promise.all(people.map((person) => tally(person.page)));
    return { system, people: count, smallVideo, marks, cost: costBetween(before, after) };
  } catch (error) {
    if (expired !== null) {
      // The cap fired: wait (bounded) for its description of the pages before they are closed below.
      for (let i = 0; i < 120 && expired === ""; i++) await delay(100);
      throw new Error(`stopped after ${options.runTimeoutMs! / 1000} s\n${expired}`);
    }
    throw new Error(`${(error as Error).message.split("\n")[0]}\n${await describe(people)}`);
  } finally {
    clearTimeout(cap);
    await Promise.all(people.map((person) => person.context.close().catch(() => {})));
  }
}

/** What each page saw, so that a failed run can be understood after the browsers are gone. */
export async function describe(people: Person[], withinMs = 10_000): Promise<string> {
  return Promise.race([
    describeAll(people),
    delay(withinMs).then(() => `(the pages did not describe themselves within ${withinMs / 1000} s)`),
  ]);
}

async function describeAll(people: Person[]): Promise<string> {
  const lines: string[] = [];
  for (const [i, person] of people.entries()) {
    const state = await person.page.evaluate(() => JSON.stringify(window.__bench)).catch(() => "(page gone)");
    lines.push(`person ${i + 1} ${person.page.url()}: ${state}`, ...person.log.slice(-10).map((l) => `  ${l}`));
  }
  return lines.join("\n");
}

async function readMarks(page: Page, mode: "hair-check" | "auto", remotes: number): Promise<JoinMarks> {
  const { state, domReady } = await page.evaluate(() => {
    const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    return { state: window.__bench, domReady: navigation?.domContentLoadedEventEnd ?? 0 };
  });
  const connected = state.peers.map((p) => p.connectedAt).filter((t): t is number => t !== null);
  const frames = state.peers.map((p) => p.firstFrameAt).filter((t): t is number => t !== null);
  const processed = state.peers.map((p) => p.firstFrameProcessorAt).filter((t): t is number => t !== null);
  if (frames.length < remotes) throw new Error(`only ${frames.length} of ${remotes} remote videos decoded`);
  const welcomed = state.welcomeAt ?? state.socketOpenAt;
  if (welcomed === null) throw new Error("the page never reached the room");
  return {
    mode,
    ready: state.joinShownAt ?? domReady,
    click: state.clickAt,
    welcomed,
    connectedFirst: Math.min(...connected),
    connectedAll: Math.max(...connected),
    frameFirst: Math.min(...frames),
    frameAll: Math.max(...frames),
    frameFirstProcessor: processed.length > 0 ? Math.min(...processed) : null,
  };
}

/** The joiner did not exist before, so its whole tally counts; for the others, only what changed. */
function costBetween(before: Tally[], after: Tally[]): JoinCost {
  const cost: JoinCost = { toRoom: { count: 0, bytes: 0 }, fromRoom: { count: 0, bytes: 0 }, byType: {} };
  after.forEach((now, i) => {
    const then = before[i];
    cost.toRoom.count += now.sent.count - (then?.sent.count ?? 0);
    cost.toRoom.bytes += now.sent.bytes - (then?.sent.bytes ?? 0);
    cost.fromRoom.count += now.received.count - (then?.received.count ?? 0);
    cost.fromRoom.bytes += now.received.bytes - (then?.received.bytes ?? 0);
    for (const [type, row] of Object.entries(now.byType)) {
      const old = then?.byType[type];
      const entry = cost.byType[type] ?? { frames: 0, bytes: 0 };
      cost.byType[type] = entry;
      entry.frames += row.sent + row.received - (old ? old.sent + old.received : 0);
      entry.bytes += row.bytes - (old?.bytes ?? 0);
    }
  });
  for (const [type, row] of Object.entries(cost.byType)) if (row.frames === 0) delete cost.byType[type];
  return cost;
}

export interface PageBytes {
  /** gzip bytes of every same-origin .js and .css response the page fetched. */
  js: number;
  css: number;
  files: { path: string; gzip: number }[];
}

/**
 * What a visit downloads, as the browser actually fetched it (lazy chunks included): more honest
 * than reading the build's chunk graph, which cannot know what the page decides to load.
 */
export async function measurePageBytes(browser: Browser, url: string, joinIfAsked: boolean): Promise<PageBytes> {
  const person = await newPerson(browser, true);
  const origin = new URL(url).origin;
  const bodies: Promise<{ path: string; gzip: number } | null>[] = [];
  person.page.on("response", (response) => {
    const { pathname } = new URL(response.url());
    if (!response.url().startsWith(origin) || !/\.(js|css)$/.test(pathname)) return;
    bodies.push(
      response
        .body()
        .then((body) => ({ path: pathname, gzip: gzipSync(body).byteLength }))
        .catch(() => null),
    );
  });
  try {
    if (joinIfAsked) {
      await enter(person, url, "natter");
    } else {
      await person.page.goto(url, { waitUntil: "load", timeout: STEP_TIMEOUT_MS });
    }
    // Anything lazily loaded right after showing up (or joining) is part of the page.
    await person.page.waitForLoadState("networkidle", { timeout: STEP_TIMEOUT_MS }).catch(() => {});
    // The call fetches its dialogs and chat 2 s after it appears (ON_DEMAND_PREFETCH_AFTER_MS in
    // frontend/pages/room/lazy-parts.tsx): wait past that, so the room's figure includes them.
    await delay(joinIfAsked ? 3_000 : 500);
    const seen = new Map<string, number>();
    for (const file of await Promise.all(bodies)) if (file) seen.set(file.path, file.gzip);
    const files = [...seen].map(([path, gzip]) => ({ path, gzip })).sort((a, b) => a.path.localeCompare(b.path));
    const sum = (ext: string) => files.filter((f) => f.path.endsWith(ext)).reduce((total, f) => total + f.gzip, 0);
    return { js: sum(".js"), css: sum(".css"), files };
  } finally {
    await person.context.close().catch(() => {});
  }
}
