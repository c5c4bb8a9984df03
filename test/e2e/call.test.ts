/**
 * Real calls: several Chromium contexts (one per person, fake camera and microphone) open the same room URL
 * on a real `wrangler dev`. Success means decoded video frames keep arriving (getStats), not that a <video> exists.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { joinFromHairCheck, MEDIA_TIMEOUT_MS, type Person, waitForDecodedVideoFrom } from "../helpers/browser";
import { SCREENSHOTS, useCast } from "../helpers/cast";
import { expectHungUp, expectRemoteTiles, remotePeerIds, remoteTiles } from "../helpers/tiles";

/** Every test gets its own room, so a peer that lingers from an earlier test can never show up in a later one. */
function newRoom(): string {
  return `e2e-${randomBytes(8).toString("hex")}`;
}

/** The decoder can run with no element attached; this proves each remote tile's own <video> renders the stream. */
async function expectTilesShowVideo(person: Person): Promise<void> {
  const tiles = await remoteTiles(person.page).all();
  for (const tile of tiles) {
    expect(await tile.locator("video").count(), `one <video> per remote tile on ${person.name}'s page`).toBe(1);
    await expect
      .poll(() => tile.locator("video").evaluate((video: HTMLVideoElement) => video.videoWidth), {
        timeout: MEDIA_TIMEOUT_MS,
        message: `a remote <video> on ${person.name}'s page should have video dimensions`,
      })
      .toBeGreaterThan(0);
    const caption = (await tile.locator("figcaption").textContent())?.trim() ?? "";
    expect(caption, `each remote tile on ${person.name}'s page names its person`).not.toBe("");
  }
}

describe.skipIf(inject("e2eSkip"))("a call in real browsers", () => {
  // Small cameras, but for the two-person call, which decodes the camera the app asks for.
  const cast = useCast({ label: "call", camera: "small" });
  const join = cast.arrive;

  it("the home page takes a typed room name to that room's call", async () => {
    const room = newRoom();
    const person = await cast.person("ada");
    await person.page.goto("/");

    await person.page.getByRole("textbox", { name: "Room name" }).fill(room);
    await person.page.getByRole("button", { name: "Join", exact: true }).click();
    await person.page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: MEDIA_TIMEOUT_MS });
    await joinFromHairCheck(person.page);

    await person.page.locator('[data-testid="self-tile"]').waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
    expect(new URL(person.page.url()).pathname).toBe(`/${room}`);
  });

  it("two people in one room each decode the other's video", async () => {
    const room = newRoom();
    const ada = await join(room, "ada", { camera: "app" });
    const bob = await join(room, "bob", { camera: "app" });

    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);

    for (const person of [ada, bob]) {
      await expectRemoteTiles(person, 1);
      await expectTilesShowVideo(person);
    }
    const [adaSees] = await remotePeerIds(ada.page);
    const [bobSees] = await remotePeerIds(bob.page);
    expect(adaSees, "the two people see two different peers (not themselves)").not.toBe(bobSees);
  });

  it("three people form a full mesh: everyone decodes video from both others", async () => {
    const room = newRoom();
    const trio = [await join(room, "ada"), await join(room, "bob"), await join(room, "cy")];

    await Promise.all(trio.map((person) => waitForDecodedVideoFrom(person.page, 2)));

    const seen = new Set<string>();
    for (const person of trio) {
      await expectRemoteTiles(person, 2);
      await expectTilesShowVideo(person);
      const ids = await remotePeerIds(person.page);
      expect(new Set(ids).size, `${person.name}'s two remote tiles are two different peers`).toBe(2);
      for (const id of ids) seen.add(id);
    }
    // Each page omits only itself, so across the three pages exactly three peers appear.
    expect(seen.size).toBe(3);

    // The fake microphones beep: everyone sees both others speak, from the level of the audio it
    // receives from them (read from the receiver, with no Web Audio graph per peer).
    for (const person of trio) {
      await person.page.waitForFunction(
        () => {
          const w = window as unknown as { spoke?: Set<string> };
          const note = () => {
            for (const tile of document.querySelectorAll('figure[data-testid="remote-tile"].tile--speaking'))
              w.spoke?.add(tile.getAttribute("data-peer-id") ?? "");
          };
          if (!w.spoke) {
            w.spoke = new Set();
            new MutationObserver(note).observe(document.body, { subtree: true, attributeFilter: ["class"] });
          }
          note();
          return w.spoke.size >= 2;
        },
        null,
        { polling: 100, timeout: MEDIA_TIMEOUT_MS },
      );
    }

    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const person of trio) {
      await person.page.screenshot({ path: `${SCREENSHOTS}three-person-call-${person.name}.png` });
    }
  });

  it("someone who clicks “Leave call” disappears from everyone else's grid", async () => {
    const room = newRoom();
    const [ada, bob, cy] = [await join(room, "ada"), await join(room, "bob"), await join(room, "cy")];
    await Promise.all([bob, cy].map((person) => expectRemoteTiles(person, 2)));
    // Ada is the one peer both Bob and Cy see.
    const bobSees = await remotePeerIds(bob.page);
    const cySees = await remotePeerIds(cy.page);
    const adaIds = bobSees.filter((id) => cySees.includes(id));
    expect(adaIds, "Bob and Cy see exactly one peer in common (Ada)").toHaveLength(1);

    await ada.page.getByRole("button", { name: "Leave call" }).click();

    // first(): the left view may say it twice (heading and a live-region announcement); once is the contract.
    await ada.page.getByText("You left").first().waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
    for (const person of [bob, cy]) {
      await expectRemoteTiles(person, 1);
      expect(await remotePeerIds(person.page), `${person.name} no longer shows Ada`).not.toContain(adaIds[0]);
    }
    // Leaving must hang up for real, not just change the view: Ada's connections are closed...
    await expectHungUp(ada);
    // ...and the two who stayed are still in a working call.
    await Promise.all([waitForDecodedVideoFrom(bob.page, 1), waitForDecodedVideoFrom(cy.page, 1)]);
  });

  it("someone whose tab closes disappears from the other's grid", async () => {
    const room = newRoom();
    const ada = await join(room, "ada");
    const bob = await join(room, "bob");
    await Promise.all([expectRemoteTiles(ada, 1), expectRemoteTiles(bob, 1)]);

    await bob.page.close();

    await expectRemoteTiles(ada, 0);
  });
});
