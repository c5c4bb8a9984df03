/**
 * Calls that connect everywhere and survive the network, in real Chromium against real servers:
 * a relay-only call through a real coturn (and ICE restarts when that relay goes away), room
 * sockets dropped under a running call, and the upload budget read back from the senders.
 * Timings are never asserted: waits are generous because two cores run wrangler, coturn and
 * several browsers at once.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { VIDEO_UPLOAD_BUDGET_BPS, videoCap } from "../../frontend/call/media/bitrate";
import { QUALITY_POLL_MS } from "../../frontend/call/peer/quality";
import { INSTALL_HINT } from "../../tooling/system-packages";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { framesDecoded, MEDIA_TIMEOUT_MS, type Person, waitForDecodedVideoFrom } from "../helpers/browser";
import { useCast } from "../helpers/cast";
import { expectRemoteTiles, remotePeerIds, remoteTiles } from "../helpers/tiles";
import { hasTurnServer, startTurnServer, type TurnServer } from "../helpers/turn";

/** Reconnecting, restarting ICE and re-gathering through a relay all take a while on a busy machine. */
const RECOVERY_TIMEOUT_MS = 90_000;

function newRoom(): string {
  return `e2e-${randomBytes(8).toString("hex")}`;
}

/** What getStats says about the candidate pair each live connection uses. */
interface SelectedPair {
  local: string | null;
  remote: string | null;
  state: string | null;
}

/** Runs in the page: for every live recorded connection, the candidate types of its selected pair. */
async function readSelectedPairs(): Promise<SelectedPair[]> {
  type Stat = {
    id: string;
    type: string;
    selectedCandidatePairId?: string;
    localCandidateId?: string;
    remoteCandidateId?: string;
    candidateType?: string;
    state?: string;
    nominated?: boolean;
  };
  const recorded: RTCPeerConnection[] =
    (window as unknown as { __e2ePeerConnections?: RTCPeerConnection[] }).__e2ePeerConnections ?? [];
  const pairs: SelectedPair[] = [];
  for (const pc of recorded) {
    if (pc.connectionState === "closed") continue;
    const stats = new Map<string, Stat>();
    (await pc.getStats()).forEach((stat: Stat) => {
      stats.set(stat.id, stat);
    });
    const all = [...stats.values()];
    const selectedId = all.find((s) => s.type === "transport" && s.selectedCandidatePairId)?.selectedCandidatePairId;
    const pair =
      (selectedId ? stats.get(selectedId) : undefined) ??
      all.find((s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded");
    pairs.push({
      local: (pair?.localCandidateId && stats.get(pair.localCandidateId)?.candidateType) || null,
      remote: (pair?.remoteCandidateId && stats.get(pair.remoteCandidateId)?.candidateType) || null,
      state: pair?.state ?? null,
    });
  }
  return pairs;
}

/** Runs in the page: the ICE username fragment of each live connection's local description (a restart changes it). */
function readLocalUfrags(): string[] {
  const recorded: RTCPeerConnection[] =
    (window as unknown as { __e2ePeerConnections?: RTCPeerConnection[] }).__e2ePeerConnections ?? [];
  return recorded
    .filter((pc) => pc.connectionState !== "closed")
    .map((pc) => pc.localDescription?.sdp.match(/^a=ice-ufrag:(\S+)/m)?.[1] ?? "(none)");
}

/** Runs in the page: drops every open room socket the way a network blip would (4000 is no deliberate leave). */
function dropRoomSockets(): number {
  const sockets: WebSocket[] = (window as unknown as { __e2eSockets?: WebSocket[] }).__e2eSockets ?? [];
  const open = sockets.filter((ws) => ws.readyState === WebSocket.OPEN && ws.url.includes("/api/rooms/"));
  for (const ws of open) ws.close(4000, "simulated network drop");
  return open.length;
}

/** Runs in the page: the caps of every video sender of every live connection. */
function readVideoCaps(): (number | null)[] {
  const recorded: RTCPeerConnection[] =
    (window as unknown as { __e2ePeerConnections?: RTCPeerConnection[] }).__e2ePeerConnections ?? [];
  return recorded
    .filter((pc) => pc.connectionState !== "closed")
    .flatMap((pc) => pc.getSenders().filter((sender) => sender.track?.kind === "video"))
    .map((sender) => sender.getParameters().encodings?.[0]?.maxBitrate ?? null);
}

/**
 * Runs in the page: from now on, remembers every status text the room page shows and the
 * fewest and most remote tiles it ever shows, so a test can tell what happened in between two
 * samples (a "Reconnecting…" that lasted 50 ms, a tile that vanished for a frame).
 */
function watchRoomPage(): void {
  const w = window as unknown as { __e2eWatch?: { statuses: string[]; minTiles: number; maxTiles: number } };
  const watch = { statuses: [] as string[], minTiles: Number.POSITIVE_INFINITY, maxTiles: 0 };
  w.__e2eWatch = watch;
  const sample = () => {
    const status = document.querySelector(".room__status")?.textContent?.trim() ?? "(no status)";
    if (watch.statuses.at(-1) !== status) watch.statuses.push(status);
    const tiles = document.querySelectorAll('figure[data-testid="remote-tile"]').length;
    watch.minTiles = Math.min(watch.minTiles, tiles);
    watch.maxTiles = Math.max(watch.maxTiles, tiles);
  };
  sample();
  new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, characterData: true });
}

function readWatch(): { statuses: string[]; minTiles: number; maxTiles: number } {
  return (window as unknown as { __e2eWatch: { statuses: string[]; minTiles: number; maxTiles: number } }).__e2eWatch;
}

const statusText = async (page: Page) => (await page.locator(".room__status").textContent())?.trim() ?? "";

if (!inject("e2eSkip") && !hasTurnServer() && !process.env.CI) {
  // In CI the TURN tests run regardless, and fail without coturn rather than pass having proved nothing.
  console.warn(
    `\n!!  TURN E2E TESTS SKIPPED: no turnserver.\n!!  ${INSTALL_HINT}\n!!  or set TURNSERVER_PATH.\n` +
      "!!  Nothing about relayed calls or ICE restarts was tested.\n",
  );
}

describe.skipIf(inject("e2eSkip"))("connectivity in real browsers", () => {
  const cast = useCast({
    label: "connectivity",
    camera: "small",
    describeFailure: async (page) =>
      `selected candidate pairs: ${JSON.stringify(await page.evaluate(readSelectedPairs))}`,
  });

  /** Opens the room URL as a new person on `baseUrl` and waits until they are in the call. */
  const join = (baseUrl: string, room: string, name: string) => cast.arrive(room, name, { baseUrl });

  async function callOfTwo(baseUrl: string) {
    const room = newRoom();
    const ada = await join(baseUrl, room, "ada");
    const bob = await join(baseUrl, room, "bob");
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);
    const before = {
      ada: await remotePeerIds(ada.page),
      bob: await remotePeerIds(bob.page),
      adaConnections: (await framesDecoded(ada.page)).connections.map((c) => c.index),
      bobConnections: (await framesDecoded(bob.page)).connections.map((c) => c.index),
    };
    expect(before.ada).toHaveLength(1);
    expect(before.bob).toHaveLength(1);
    await Promise.all([ada.page.evaluate(watchRoomPage), bob.page.evaluate(watchRoomPage)]);
    return { ada, bob, before };
  }

  /** The page said "Reconnecting…" at some point, and now says it is in the call again. */
  async function expectReconnected(person: Person): Promise<void> {
    await expect
      .poll(async () => (await person.page.evaluate(readWatch)).statuses, {
        timeout: RECOVERY_TIMEOUT_MS,
        message: `${person.name}'s page should show "Reconnecting…"`,
      })
      .toContain("Reconnecting…");
    await expect
      .poll(() => statusText(person.page), {
        timeout: RECOVERY_TIMEOUT_MS,
        message: `${person.name}'s page should be back in the call`,
      })
      .not.toMatch(/Reconnecting|Connecting|Disconnected/);
  }

  /** Same peers, same RTCPeerConnections, never a missing or duplicate tile, and video still arriving. */
  async function expectCallIntact(
    people: Record<"ada" | "bob", Person>,
    before: Awaited<ReturnType<typeof callOfTwo>>["before"],
  ) {
    for (const key of ["ada", "bob"] as const) {
      const person = people[key];
      expect(await remotePeerIds(person.page), `${person.name} sees the same peer as before`).toEqual(before[key]);
      const watch = await person.page.evaluate(readWatch);
      expect([watch.minTiles, watch.maxTiles], `${person.name}'s grid always had exactly one remote tile`).toEqual([
        1, 1,
      ]);
    }
    const [adaVideo, bobVideo] = await Promise.all([
      waitForDecodedVideoFrom(people.ada.page, 1),
      waitForDecodedVideoFrom(people.bob.page, 1),
    ]);
    // The connections were kept, not rebuilt: media went on peer to peer while signaling came back.
    expect(adaVideo.connections.map((c) => c.index)).toEqual(before.adaConnections);
    expect(bobVideo.connections.map((c) => c.index)).toEqual(before.bobConnections);
  }

  describe.skipIf(!hasTurnServer() && !process.env.CI)("through a TURN relay (coturn)", () => {
    let turn: TurnServer;
    let relayOnly: WranglerServer;

    beforeAll(async () => {
      turn = await startTurnServer();
      try {
        // A second wrangler dev whose room hands out TURN credentials and forbids anything but relays.
        relayOnly = await startWrangler({
          vars: {
            STUN_URLS: "",
            TURN_URLS: turn.url,
            TURN_SECRET: turn.secret,
            ICE_TRANSPORT_POLICY: "relay",
          },
        });
      } catch (error) {
        await turn.stop();
        throw error;
      }
    });
    afterAll(async () => {
      await relayOnly?.stop();
      await turn?.stop();
    });

    it("connects two people through the relay and decodes video on both sides", async () => {
      const room = newRoom();
      const ada = await join(relayOnly.baseUrl, room, "ada");
      const bob = await join(relayOnly.baseUrl, room, "bob");

      await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);
      for (const person of [ada, bob]) {
        const pairs = await person.page.evaluate(readSelectedPairs);
        expect(pairs, `${person.name}'s connection uses a relay candidate pair`).toEqual([
          expect.objectContaining({ local: "relay", state: "succeeded" }),
        ]);
      }
    });

    it("restarts ICE and recovers when the relay goes away under a running call", async () => {
      const room = newRoom();
      const ada = await join(relayOnly.baseUrl, room, "ada");
      const bob = await join(relayOnly.baseUrl, room, "bob");
      await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);
      const ufragsBefore = [
        ...(await ada.page.evaluate(readLocalUfrags)),
        ...(await bob.page.evaluate(readLocalUfrags)),
      ];

      // Every allocation dies with the server: the only media path is gone, as when a network changes.
      await turn.restart();

      // Nothing but a new ICE negotiation (fresh ufrag, fresh allocations) can bring video back.
      await expect
        .poll(
          async () => {
            const now = [...(await ada.page.evaluate(readLocalUfrags)), ...(await bob.page.evaluate(readLocalUfrags))];
            return now.some((ufrag, i) => ufrag !== ufragsBefore[i]);
          },
          {
            timeout: RECOVERY_TIMEOUT_MS,
            interval: 1_000,
            message: "an ICE restart should renegotiate the connection",
          },
        )
        .toBe(true);
      await Promise.all([
        waitForDecodedVideoFrom(ada.page, 1, RECOVERY_TIMEOUT_MS),
        waitForDecodedVideoFrom(bob.page, 1, RECOVERY_TIMEOUT_MS),
      ]);
      for (const person of [ada, bob]) {
        await expectRemoteTiles(person, 1);
        const pairs = await person.page.evaluate(readSelectedPairs);
        expect(pairs, `${person.name} is back on a relay pair`).toEqual([expect.objectContaining({ local: "relay" })]);
      }
    }, 240_000);
  });

  describe("when the room's socket drops", () => {
    const baseUrl = inject("e2eBaseUrl");

    it("one person reconnects and resumes: nobody sees them leave, video keeps decoding", async () => {
      const { ada, bob, before } = await callOfTwo(baseUrl);

      expect(await ada.page.evaluate(dropRoomSockets), "Ada had one open room socket").toBe(1);

      await expectReconnected(ada);
      // Bob's page never heard of a problem.
      expect((await bob.page.evaluate(readWatch)).statuses).not.toContain("Reconnecting…");
      await expectCallIntact({ ada, bob }, before);
      // The quality badge says how the connection is doing, by name.
      await expect
        .poll(
          () =>
            remoteTiles(ada.page)
              .getByRole("button", { name: /^Connection (good|fair|poor)$/ })
              .count(),
          {
            timeout: MEDIA_TIMEOUT_MS,
          },
        )
        .toBe(1);
    });

    it("both people lose the room at once and both come back", async () => {
      const { ada, bob, before } = await callOfTwo(baseUrl);

      const dropped = await Promise.all([ada.page.evaluate(dropRoomSockets), bob.page.evaluate(dropRoomSockets)]);
      expect(dropped).toEqual([1, 1]);

      await Promise.all([expectReconnected(ada), expectReconnected(bob)]);
      await expectCallIntact({ ada, bob }, before);
    });
  });

  describe("when the network goes away without a word", () => {
    const baseUrl = inject("e2eBaseUrl");

    it("notices the dead socket, shows “Reconnecting…”, and is back as itself once online", async () => {
      const { ada, bob, before } = await callOfTwo(baseUrl);

      // DevTools' offline mode: the socket stays "open" but nothing goes through any more, as
      // when a phone leaves Wi-Fi. Only the app's own checks can tell.
      await ada.context.setOffline(true);
      await expect
        .poll(async () => (await ada.page.evaluate(readWatch)).statuses, {
          timeout: RECOVERY_TIMEOUT_MS,
          message: "Ada's page should notice it lost the room",
        })
        .toContain("Reconnecting…");
      await ada.context.setOffline(false);

      await expectReconnected(ada);
      for (const [person, ids] of [
        [ada, before.ada],
        [bob, before.bob],
      ] as const) {
        await expectRemoteTiles(person, 1);
        expect(await remotePeerIds(person.page), `${person.name} sees the same peer as before`).toEqual(ids);
        expect((await person.page.evaluate(readWatch)).maxTiles, `${person.name} never shows a duplicate`).toBe(1);
      }
      await Promise.all([
        waitForDecodedVideoFrom(ada.page, 1, RECOVERY_TIMEOUT_MS),
        waitForDecodedVideoFrom(bob.page, 1, RECOVERY_TIMEOUT_MS),
      ]);
    });
  });

  describe("when the room restarts (a deploy)", () => {
    let server: WranglerServer;

    beforeAll(async () => {
      server = await startWrangler();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("everyone reconnects as themselves and the call goes on", async () => {
      const { ada, bob, before } = await callOfTwo(server.baseUrl);

      // Every socket closes and the Durable Object starts from its storage alone, as after a deploy.
      await server.stop({ keepStorage: true });
      server = await startWrangler({ port: server.port, persistTo: server.persistTo });

      await Promise.all([expectReconnected(ada), expectReconnected(bob)]);
      await expectCallIntact({ ada, bob }, before);
    });
  });

  describe("the upload budget", () => {
    const baseUrl = inject("e2eBaseUrl");

    async function capsOf(person: Person, senders: number): Promise<number[]> {
      let caps: (number | null)[] = [];
      await expect
        .poll(
          async () => {
            caps = await person.page.evaluate(readVideoCaps);
            return caps.length === senders && caps.every((cap) => cap !== null);
          },
          { timeout: MEDIA_TIMEOUT_MS, message: `${person.name} should cap ${senders} video sender(s)` },
        )
        .toBe(true);
      return caps as number[];
    }

    it("puts the cap in place as a call starts, without a failed setParameters on the way", async () => {
      const room = newRoom();
      // Three people: two join at once into the third's room, the busiest negotiation a join makes.
      const ada = await join(baseUrl, room, "ada");
      const [bob, cy] = await Promise.all([join(baseUrl, room, "bob"), join(baseUrl, room, "cy")]);
      const trio = [ada, bob, cy];
      await Promise.all(trio.map((person) => waitForDecodedVideoFrom(person.page, 2)));
      for (const person of trio) {
        const caps = await capsOf(person, 2);
        for (const cap of caps) expect(cap, `${person.name}: one peer's share`).toBe(videoCap(2).maxBitrate);
      }
      // A few more quality polls, each of which re-applies the cap, to catch a late failure too.
      await ada.page.waitForTimeout(3 * QUALITY_POLL_MS);
      for (const person of trio) {
        expect(
          person.log.filter((line) => /could not cap|RTCP parameters|setParameters/i.test(line)),
          `${person.name}'s console`,
        ).toEqual([]);
      }
    });

    it("caps every video sender so that each person's upload fits the budget, and raises the caps when someone leaves", async () => {
      const room = newRoom();
      const trio = [
        await join(baseUrl, room, "ada"),
        await join(baseUrl, room, "bob"),
        await join(baseUrl, room, "cy"),
      ];
      await Promise.all(trio.map((person) => waitForDecodedVideoFrom(person.page, 2)));

      const before = new Map<Person, number[]>();
      for (const person of trio) {
        const caps = await capsOf(person, 2);
        for (const cap of caps)
          expect(cap, `${person.name}: one peer's share`).toBeLessThanOrEqual(VIDEO_UPLOAD_BUDGET_BPS / 2);
        expect(
          caps.reduce((a, b) => a + b, 0),
          `${person.name}: the whole upload`,
        ).toBeLessThanOrEqual(VIDEO_UPLOAD_BUDGET_BPS);
        before.set(person, caps);
      }

      const [ada, bob, cy] = trio as [Person, Person, Person];
      await cy.page.getByRole("button", { name: "Leave call" }).click();
      for (const person of [ada, bob]) {
        await expect
          .poll(() => person.page.evaluate(readVideoCaps), {
            timeout: MEDIA_TIMEOUT_MS,
            message: `${person.name}'s one remaining sender should get a bigger share`,
          })
          .toEqual([expect.any(Number)]);
        const [cap] = await capsOf(person, 1);
        expect(cap).toBeGreaterThan(Math.max(...(before.get(person) ?? [])));
        expect(cap).toBeLessThanOrEqual(VIDEO_UPLOAD_BUDGET_BPS);
      }
      await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);
    });
  });
});
