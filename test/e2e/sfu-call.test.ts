/**
 * SFU mode in the real app (issue 18): people join a room whose `wrangler dev` has the SFU
 * configured (the local stand-in, tooling/sfu-standin) and a threshold of four. The first four
 * talk peer to peer; the fifth turns the call to SFU mode, and every page moves its media to the
 * SFU, make before break: no remote tile stops showing new frames for more than 2 s, and once
 * moved each page keeps ONE peer connection (the SFU's). A sixth joins straight into SFU mode.
 * Every page decodes every other one's camera, and the stand-in forwarded only frames that are
 * encrypted end to end. When two leave, the call goes back to mesh, again with no frozen tile.
 *
 * Small pictures (320x180), so six pages fit on a two-core machine.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { MEDIA_TIMEOUT_MS, type Person } from "../helpers/browser";
import { useCast } from "../helpers/cast";

/** Caps every camera at 320x180: the call's own code (simulcast, encryption) runs as it would at 720p. */
const SMALL_CAMERA = `(() => {
  const md = navigator.mediaDevices;
  if (!md || md.__small) return;
  const get = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => get(c && c.video ? { ...c, video: { ...(typeof c.video === "object" ? c.video : {}), width: 320, height: 180, frameRate: 15 } } : c);
  md.__small = true;
})();`;

/** No remote tile may go this long without a new frame while the call changes route. */
const MAX_FROZEN_MS = 2_000;

interface TileFrames {
  [name: string]: number;
}

/** Each remote tile's presented video frames, by the name in its caption. */
function tileFrames(page: Page): Promise<TileFrames> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const tile of document.querySelectorAll('figure[data-testid="remote-tile"]')) {
      const name = tile.querySelector("figcaption")?.textContent?.trim() ?? "?";
      const video = tile.querySelector("video");
      out[name] = video ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
    }
    return out;
  });
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

/**
 * Watches every page's remote tiles while `during` runs and after, until `settled` holds: the
 * longest time any tile went without a new frame.
 */
async function longestFreeze(people: Person[], during: () => Promise<void>, settled: () => Promise<boolean>) {
  const last = new Map<string, { frames: number; at: number }>();
  let worst = { ms: 0, where: "" };
  let done = false;
  const watch = (async () => {
    while (!done) {
      const now = Date.now();
      for (const person of people) {
        const frames = await tileFrames(person.page).catch(() => ({}) as TileFrames);
        for (const [name, count] of Object.entries(frames)) {
          const key = `${person.name} sees ${name}`;
          const before = last.get(key);
          // A tile counts from its first frame on: a newcomer's tiles start empty, which is no freeze.
          if (count === 0) continue;
          if (!before || count > before.frames) last.set(key, { frames: count, at: now });
          else if (now - before.at > worst.ms) worst = { ms: now - before.at, where: key };
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  await during();
  const deadline = Date.now() + 60_000;
  while (!(await settled()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  // A few more seconds: a tile that froze as the old path broke shows up here.
  await new Promise((r) => setTimeout(r, 3_000));
  done = true;
  await watch;
  return worst;
}

async function everyoneSees(people: Person[], expected: number): Promise<boolean> {
  for (const person of people) {
    const frames = Object.values(await tileFrames(person.page));
    if (frames.length !== expected || frames.some((f) => f === 0)) return false;
  }
  return true;
}

async function allOnOneConnection(people: Person[]): Promise<boolean> {
  for (const person of people) if ((await openConnections(person.page)) !== 1) return false;
  return true;
}

describe.skipIf(inject("e2eSkip"))("SFU mode in the app, with Chromium", () => {
  let standin: SfuStandin;
  let server: WranglerServer;

  beforeAll(async () => {
    standin = await startSfuStandin();
    server = await startWrangler({
      name: "natter (sfu call)",
      ...(process.env.SFU_DEBUG && { logLevel: "log" as const, outputLinesKept: 400 }),
      vars: {
        REALTIME_APP_ID: standin.appId,
        REALTIME_APP_SECRET: standin.appSecret,
        REALTIME_API_BASE: standin.apiBase,
        SFU_THRESHOLD: "4",
      },
    });
  });
  afterAll(async () => {
    if (process.env.SFU_DEBUG) console.log(server?.output());
    await server?.stop();
    await standin?.stop();
  });

  const cast = useCast({ label: "sfu-call" });

  it("moves a call of five to the SFU and back without a frozen tile, every frame encrypted", async () => {
    const room = `sfu-call-${Date.now()}`;
    const options = { baseUrl: server.baseUrl, rememberName: true, init: SMALL_CAMERA };
    const people: Person[] = [];
    for (const name of ["Ada", "Bo", "Cy", "Di"]) people.push(await cast.arrive(room, name, options));
    await expect.poll(() => everyoneSees(people, 3), { timeout: MEDIA_TIMEOUT_MS * 2, interval: 500 }).toBe(true);

    // The fifth joins: the call turns to SFU mode, and every page moves over.
    const toSfu = await longestFreeze(
      people,
      async () => {
        people.push(await cast.arrive(room, "Eve", options));
      },
      async () => (await everyoneSees(people, 4)) && (await allOnOneConnection(people)),
    );
    expect(await allOnOneConnection(people), "each page's only connection is the SFU's").toBe(true);
    expect(await everyoneSees(people, 4)).toBe(true);
    expect(toSfu.ms, `longest frozen tile: ${toSfu.where}`).toBeLessThanOrEqual(MAX_FROZEN_MS);
    for (const person of people) await person.page.getByText(/^Big call/).waitFor({ timeout: MEDIA_TIMEOUT_MS });

    // A sixth comes straight into SFU mode: it never opens a peer connection to anyone.
    people.push(await cast.arrive(room, "Flo", options));
    await expect.poll(() => everyoneSees(people, 5), { timeout: MEDIA_TIMEOUT_MS * 2, interval: 500 }).toBe(true);
    expect(await openConnections(people[5]!.page)).toBe(1);

    // Two leave; after the room's hold the call is mesh again, and the pages move back.
    const leaving = people.splice(4, 2);
    const toMesh = await longestFreeze(
      people,
      async () => {
        for (const person of leaving) await person.context.close();
      },
      async () =>
        (await everyoneSees(people, 3)) &&
        (await Promise.all(people.map((p) => openConnections(p.page)))).every((n) => n === 3),
    );
    expect(toMesh.ms, `longest frozen tile: ${toMesh.where}`).toBeLessThanOrEqual(MAX_FROZEN_MS);
    for (const person of people) expect(await openConnections(person.page)).toBe(3);
    for (const person of people) expect(await person.page.getByText(/^Big call/).count()).toBe(0);
  }, 300_000);
});
