/**
 * SFU mode in the real app (issue 18): people join a room whose `wrangler dev` has the SFU
 * configured (the local stand-in, tooling/sfu-standin) with a threshold of two, so that the
 * switch happens with as few pages as a two-core machine carries. Two talk peer to peer; the
 * third turns the call to SFU mode, and every page moves its media to the SFU, make before break:
 * each page ends with ONE peer connection (the SFU's), every tile shows the others' cameras, and
 * no tile is left frozen by a path broken too early (FROZEN_GUARD_MS below: the 2 s goal is
 * measured and printed, not met yet). A second test: a fourth joins straight into SFU mode and
 * never opens a peer connection, and when two leave the call goes back to peer to peer after the
 * room's hold. Neither is in `npm test` yet (`npm run test:sfu-call` runs both): see FULL_ONLY.
 * Every frame through the SFU is encrypted end to end (sfu-security.ts; what a page without the
 * keys gets from the same forwarded track is shown in sfu-room.test.ts).
 *
 * Small pictures (320x180), so that the pages and the stand-in fit on a two-core machine.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { MEDIA_TIMEOUT_MS, type Person, SMALL_CAMERA } from "../helpers/browser";
import { useCast } from "../helpers/cast";

/**
 * In the page: the longest time any remote tile's <video> went without presenting a new frame
 * (requestVideoFrameCallback, timed in the page, so the test's own polling cannot stretch it).
 * A tile counts from its first frame; a tile still waiting at the end counts its open gap.
 */
const FREEZE_WATCH = `(() => {
  if (window.__freeze) return;
  let watched = new Map();
  let timer = null;
  const watch = (video) => {
    if (watched.has(video)) return;
    const state = { last: null, worst: 0 };
    watched.set(video, state);
    const onFrame = (now) => {
      if (!watched.has(video)) return;
      if (state.last !== null) state.worst = Math.max(state.worst, now - state.last);
      state.last = now;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  const name = (video) => video.closest("figure")?.querySelector("figcaption")?.textContent?.trim() ?? "?";
  window.__freeze = {
    start() {
      watched = new Map();
      const scan = () => document.querySelectorAll('figure[data-testid="remote-tile"] video').forEach(watch);
      scan();
      timer = setInterval(scan, 100);
    },
    stop() {
      clearInterval(timer);
      const now = performance.now();
      let worst = { ms: 0, tile: "" };
      for (const [video, state] of watched) {
        if (state.last === null) continue;
        const ms = Math.max(state.worst, video.isConnected ? now - state.last : 0);
        if (ms > worst.ms) worst = { ms: Math.round(ms), tile: name(video) };
      }
      watched = new Map();
      return worst;
    },
  };
})();`;

/**
 * Issue 18 asks that no tile freeze for more than 2 s during a switch (FROZEN_GOAL_MS). Measured
 * on this project's loaded two-core machine (other browser tests running beside it): 2.7 s to
 * 10 s, while a steady call's tiles went 0.3 to 0.5 s without a frame; the new path is already
 * decoding when a tile switches, so what is left are gaps inside it (keys rotating for the
 * newcomer, the SFU asking for a key frame). The goal is not met yet (see the notes), so
 * this guards against what make before break exists to prevent: a path broken before the other
 * end had the new one, which leaves a tile frozen until the 20 s fallback (ROUTE_FALLBACK_MS) or
 * for good. It prints what it measured.
 */
const FROZEN_GOAL_MS = 2_000;
const FROZEN_GUARD_MS = 15_000;

interface Freeze {
  ms: number;
  where: string;
}

function startWatch(people: Person[]): Promise<unknown> {
  return Promise.all(
    people.map((p) => p.page.evaluate(() => (window as unknown as { __freeze: { start(): void } }).__freeze.start())),
  );
}

async function stopWatch(people: Person[]): Promise<Freeze> {
  let worst: Freeze = { ms: 0, where: "" };
  for (const person of people) {
    const found = await person.page.evaluate(() =>
      (window as unknown as { __freeze: { stop(): { ms: number; tile: string } } }).__freeze.stop(),
    );
    if (found.ms > worst.ms) worst = { ms: found.ms, where: `${person.name} sees ${found.tile}` };
  }
  return worst;
}

/** Each remote tile's presented video frames, by the name in its caption. */
function tileFrames(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('figure[data-testid="remote-tile"]')].map(
      (tile) => tile.querySelector("video")?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
    ),
  );
}

/** Open peer connections on the page (the app's, recorded by RECORD_PEER_CONNECTIONS). */
function openConnections(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      ((window as unknown as { __e2ePeerConnections?: RTCPeerConnection[] }).__e2ePeerConnections ?? []).filter(
        (pc) => pc.connectionState !== "closed",
      ).length,
  );
}

async function everyoneSees(people: Person[], tiles: number): Promise<boolean> {
  for (const person of people) {
    const frames = await tileFrames(person.page);
    if (frames.length !== tiles || frames.some((f) => f === 0)) return false;
  }
  return true;
}

async function connections(people: Person[]): Promise<number[]> {
  return Promise.all(people.map((p) => openConnections(p.page)));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = MEDIA_TIMEOUT_MS * 3): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Not yet reliable on a busy two-core machine, so outside `npm test` until they are: `npm run
 * test:sfu-call` runs them (SFU_CALL_FULL=1). The stall that failed them before was two bugs, now
 * fixed: SfuCall dropped the room's announcement of a member whose key had not arrived yet, so a
 * newcomer never pulled that member (sfu-call-announcements.test.ts), and the stand-in passed no
 * subscriber's keyframe request on to the publisher, so a pulled track whose first keyframe was lost
 * never showed (test/sfu-standin/feedback.test.ts). Since, on an idle machine, both tests passed
 * each run (two of two; longest frozen tile into SFU mode 1.1–4.3 s, back to mesh about 1 s).
 * With one core kept busy beside them, two of six passed: tiles froze 8–21 s during the move,
 * and the move or a newcomer's pulls sometimes did not finish within the test's 90 s.
 */
const FULL_ONLY = process.env.SFU_CALL_FULL === "1";

describe.skipIf(inject("e2eSkip") || !FULL_ONLY)("SFU mode in the app, with Chromium", () => {
  let standin: SfuStandin;
  let server: WranglerServer;

  beforeAll(async () => {
    standin = await startSfuStandin();
    server = await startWrangler({
      name: "natter (sfu call)",
      vars: {
        REALTIME_APP_ID: standin.appId,
        REALTIME_APP_SECRET: standin.appSecret,
        REALTIME_API_BASE: standin.apiBase,
        SFU_THRESHOLD: "2",
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await standin?.stop();
  });

  const cast = useCast({ label: "sfu-call" });

  /** Ada and Bo peer to peer, then Cy's join turns the call to SFU mode and every page moves over. */
  async function intoSfu() {
    const room = `sfu-call-${Date.now()}`;
    const options = { baseUrl: server.baseUrl, rememberName: true, init: `${SMALL_CAMERA}\n${FREEZE_WATCH}` };
    const people: Person[] = [];
    for (const name of ["Ada", "Bo"]) people.push(await cast.arrive(room, name, options));
    await until("Ada and Bo to see each other", () => everyoneSees(people, 1));

    // The yardstick: how long a tile of a steady call goes without a frame on this machine now.
    await startWatch(people);
    await sleep(5_000);
    const steady = await stopWatch(people);
    const allowed = Math.max(FROZEN_GUARD_MS, steady.ms + FROZEN_GOAL_MS);

    // The third joins: the call turns to SFU mode, and every page moves over.
    await startWatch(people);
    people.push(await cast.arrive(room, "Cy", options));
    await people[2]!.page.evaluate(() => (window as unknown as { __freeze: { start(): void } }).__freeze.start());
    await until("every page to show the other two on the SFU's one connection", async () => {
      return (await everyoneSees(people, 2)) && (await connections(people)).every((n) => n === 1);
    });
    await sleep(2_000);
    const toSfu = await stopWatch(people);
    expect(toSfu.ms, `longest frozen tile: ${toSfu.where} (steady call: ${steady.ms} ms)`).toBeLessThanOrEqual(allowed);
    for (const person of people) await person.page.getByText(/^Big call/).waitFor({ timeout: MEDIA_TIMEOUT_MS });
    // Every tile keeps a quality badge with no peer connection behind it: it reads what arrives
    // through the SFU (peer/receiver-quality.ts), and what arrives is media, not an outage.
    await until("a quality badge on every tile, read from what the SFU forwards", async () => {
      for (const person of people) {
        const labels = await person.page
          .locator('figure[data-testid="remote-tile"] .quality__bars')
          .evaluateAll((bars) => bars.map((bar) => bar.getAttribute("aria-label")));
        if (labels.length !== 2 || !labels.every((label) => /^Connection (good|fair|poor)$/.test(label ?? "")))
          return false;
      }
      return true;
    });
    console.log(
      `sfu-call: longest frozen tile: steady call ${steady.ms} ms, to SFU ${toSfu.ms} ms (goal ${FROZEN_GOAL_MS} ms)`,
    );
    return { room, options, people, steady, allowed };
  }

  it("moves a call to the SFU, make before break: one connection per page, every tile decoding", async () => {
    await intoSfu();
  }, 300_000);

  it("takes a newcomer straight into SFU mode, and goes back to mesh when people leave", async () => {
    const { room, options, people, steady, allowed } = await intoSfu();

    // A fourth comes straight into SFU mode: it never opens a peer connection to anyone.
    people.push(await cast.arrive(room, "Di", options));
    await until("everyone to see the other three", () => everyoneSees(people, 3));
    expect(await connections(people)).toEqual([1, 1, 1, 1]);

    // Two leave; after the room's hold the call is peer to peer again, and Ada and Bo move back.
    const leaving = people.splice(2, 2);
    await startWatch(people);
    for (const person of leaving) await person.context.close();
    // Back means: the page no longer says its media goes through the SFU (its SFU session is
    // closed) and the one connection left is the peer connection.
    const bigCall = async (p: Person) => (await p.page.getByText(/^Big call/).count()) > 0;
    await until("Ada and Bo to be back on one peer connection", async () => {
      if ((await Promise.all(people.map(bigCall))).some(Boolean)) return false;
      return (await everyoneSees(people, 1)) && (await connections(people)).every((n) => n === 1);
    });
    await sleep(2_000);
    const toMesh = await stopWatch(people);
    expect(toMesh.ms, `longest frozen tile: ${toMesh.where} (steady call: ${steady.ms} ms)`).toBeLessThanOrEqual(
      allowed,
    );
    console.log(`sfu-call: longest frozen tile back to mesh ${toMesh.ms} ms (goal ${FROZEN_GOAL_MS} ms)`);
  }, 300_000);
});
