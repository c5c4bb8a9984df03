/**
 * Calls between Chromium and Firefox against a real `wrangler dev`: Chromium through Playwright,
 * Debian's firefox-esr through puppeteer over WebDriver BiDi (helpers/firefox.ts). Every page
 * must decode rising video from every other person, chat must cross both ways, mute and camera
 * state must show on the other side, and the two ends of every connection must show the same
 * safety code. The people are written once (helpers/call-person.ts), whatever their browser.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { MEDIA_TIMEOUT_MS, SMALL_CAMERA } from "../helpers/browser";
import type { BrowserName, CallPerson } from "../helpers/call-person";
import { SCREENSHOTS } from "../helpers/cast";
import { useMixedCast } from "../helpers/mixed-cast";

const SAFETY_CODE = /^\d{3} \d{3} \d{3} \d{3}$/;
/** How long a call runs before the ICE restart test restarts it (not a measurement: a precondition). */
const CALL_SETTLES_MS = 4_000;

const newRoom = () => `fx-${randomBytes(8).toString("hex")}`;

/** Runs in a Chromium page: the candidate pair its one live connection sends on. */
async function selectedPair(): Promise<string | null> {
  const recorded = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
  const pc = recorded.find((connection) => connection.connectionState !== "closed");
  let id: string | null = null;
  (await pc?.getStats())?.forEach((stat: { type?: string; selectedCandidatePairId?: string }) => {
    if (stat.type === "transport") id = stat.selectedCandidatePairId ?? null;
  });
  return id;
}

/** Everyone decodes rising video from everyone else. */
async function expectVideoEverywhere(people: readonly CallPerson[]): Promise<void> {
  await Promise.all(people.map((person) => person.waitForVideoFrom(people.length - 1)));
}

/** Each person says something; everyone else reads it under that person's name. */
async function expectChatEverywhere(people: readonly CallPerson[]): Promise<void> {
  for (const sender of people) {
    const text = `hello from ${sender.name} in ${sender.browser}`;
    await sender.sendChat(text);
    await Promise.all(people.filter((p) => p !== sender).map((reader) => reader.waitForChat(sender.name, text)));
  }
}

/** Everyone mutes and turns the camera off, everyone sees that on everyone else's tile, and back. */
async function expectMediaStateEverywhere(people: readonly CallPerson[]): Promise<void> {
  for (const on of [false, true]) {
    await Promise.all(
      people.map(async (person) => {
        await person.setMicrophone(on);
        await person.setCamera(on);
      }),
    );
    for (const viewer of people) {
      for (const other of people.filter((p) => p !== viewer)) {
        await viewer.waitForTile(other.name, { muted: !on, cameraOff: !on });
      }
    }
  }
  // The cameras came back as video, not just as a flag.
  await expectVideoEverywhere(people);
}

/** Both ends of every connection show the same code; different connections show different codes. */
async function expectSameSafetyCodes(people: readonly CallPerson[]): Promise<void> {
  const codes = new Set<string>();
  for (const [i, one] of people.entries()) {
    for (const other of people.slice(i + 1)) {
      const [seenByOne, seenByOther] = await Promise.all([
        one.safetyCodeWith(other.name),
        other.safetyCodeWith(one.name),
      ]);
      expect(seenByOne, `${one.name}'s code with ${other.name}`).toMatch(SAFETY_CODE);
      expect(seenByOther, `${other.name} (${other.browser}) and ${one.name} (${one.browser}) see the same code`).toBe(
        seenByOne,
      );
      codes.add(seenByOne);
    }
  }
  const pairs = (people.length * (people.length - 1)) / 2;
  expect(codes.size, "every connection has its own code").toBe(pairs);
}

describe.skipIf(inject("e2eSkip") || inject("e2eFirefoxSkip"))("calls between Chromium and Firefox", () => {
  // Small cameras in both browsers: what crosses between them is the point, not the picture's size,
  // and a full mesh of three at 960×540 starved the two cores (62 s for the three-person test).
  const cast = useMixedCast("firefox", { chromiumScripts: [SMALL_CAMERA], firefoxScripts: [SMALL_CAMERA] });

  async function callOf(line: readonly [string, BrowserName][]): Promise<CallPerson[]> {
    const room = newRoom();
    const people: CallPerson[] = [];
    // One after the other: the join order is part of what each test checks.
    for (const [name, browser] of line) people.push(await cast.arrive(room, name, browser));
    return people;
  }

  async function expectWorkingCall(people: readonly CallPerson[]): Promise<void> {
    await expectVideoEverywhere(people);
    await expectChatEverywhere(people);
    await expectMediaStateEverywhere(people);
    await expectSameSafetyCodes(people);
  }

  it("room links opened again and again in one Firefox show the hair check each time (the room's code cached)", async () => {
    // A guard for the room's preload header (scripts/room-preload.ts): by hand, a `modulepreload`
    // of the room's chunk (which imports the entry chunk back) once left Firefox on "Loading the
    // call…" for good from the third page on in one context. This test did not reproduce that
    // exact sequence; it checks that cached visits keep working in Firefox.
    const fern = await cast.person("Fern", "firefox");
    for (let visit = 0; visit < 4; visit++) await fern.open(newRoom());
  });

  it("Chromium first, Firefox joins: video, chat, mute, camera and safety codes cross", async () => {
    await expectWorkingCall(
      await callOf([
        ["Ada", "chromium"],
        ["Fern", "firefox"],
      ]),
    );
  });

  it("Firefox first, Chromium joins: video, chat, mute, camera and safety codes cross", async () => {
    await expectWorkingCall(
      await callOf([
        ["Fern", "firefox"],
        ["Ada", "chromium"],
      ]),
    );
  });

  it("Chromium, Firefox and Chromium in one call: a full mesh across both browsers", async () => {
    const trio = await callOf([
      ["Ada", "chromium"],
      ["Fern", "firefox"],
      ["Cy", "chromium"],
    ]);
    await expectWorkingCall(trio);
    // To be looked at: the same room drawn by both browsers.
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const person of trio) {
      await person.driver.screenshot(`${SCREENSHOTS}firefox-mesh-${person.name}-${person.browser}.png`);
    }
  }, 180_000);

  it("after Chromium restarts ICE (as after a network change), Firefox still decodes its video", async () => {
    const room = newRoom();
    const ada = await cast.arrive(room, "Ada", "chromium");
    const fern = await cast.arrive(room, "Fern", "firefox");
    await expectVideoEverywhere([ada, fern]);
    // A call that has been running for a while, as when a network changes: in its first seconds, while
    // Firefox's ICE is still settling, Firefox happens to take the restart without losing anything.
    await new Promise((resolve) => setTimeout(resolve, CALL_SETTLES_MS));
    const pairBefore = await ada.driver.evaluate(selectedPair, null);

    // What Ada's ICE watchdog does after her network changed: a restart offer with fresh ICE credentials.
    // Firefox 153 answers it, reports "connected", and then receives nothing more on that connection, until
    // Fern's side notices that nothing arrives (STALLED_RESTART_MS) and restarts ICE itself.
    await ada.driver.evaluate(() => {
      const recorded = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
      for (const pc of recorded) if (pc.connectionState !== "closed") pc.restartIce();
    }, null);
    // Frames still in flight on the old path would pass the check below: wait until Ada sends on the new one.
    await expect
      .poll(() => ada.driver.evaluate(selectedPair, null), {
        timeout: MEDIA_TIMEOUT_MS,
        message: "Ada's restart should select a new candidate pair",
      })
      .not.toBe(pairBefore);

    await expectVideoEverywhere([ada, fern]);
  });

  it("a screen share that headless Firefox cannot start says so clearly, and the call goes on", async () => {
    const room = newRoom();
    const fern = await cast.arrive(room, "Fern", "firefox");
    const ada = await cast.arrive(room, "Ada", "chromium");
    await expectVideoEverywhere([fern, ada]);

    // Headless Firefox has no screen: getDisplayMedia rejects with NotFoundError.
    const said = await fern.shareScreen();
    expect(said).toBe("There is no screen or window here that could be shared.");
    expect((await ada.tiles()).Fern?.screen, "Ada never sees Fern presenting").toBe(false);
    await expectVideoEverywhere([fern, ada]);
  });
});
