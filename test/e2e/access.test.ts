/**
 * Who gets in, in real browsers against a real `wrangler dev`: locking a room, a wrong and a
 * right key, knocking and admitting, and removing someone. One Chromium with a context per
 * person and fake camera and microphone, as in call.test.ts: success means decoded video.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { joinFromHairCheck, MEDIA_TIMEOUT_MS, type Person, waitForDecodedVideoFrom } from "../helpers/browser";
import { SCREENSHOTS, useCast } from "../helpers/cast";
import { expectHungUp, expectRemoteTiles } from "../helpers/tiles";

/** How long a page gets to show the result of one round trip to the room (PBKDF2 included). */
const UI_TIMEOUT_MS = 15_000;

async function expectGone(page: Page, text: string): Promise<void> {
  await expect
    .poll(() => page.getByText(text).count(), { timeout: UI_TIMEOUT_MS, message: `"${text}" should go away` })
    .toBe(0);
}

/** Everything the page keeps where it could outlive the tab, as one string to search. */
async function persistedState(page: Page): Promise<string> {
  return page.evaluate(() =>
    JSON.stringify({ url: location.href, local: { ...localStorage }, session: { ...sessionStorage } }),
  );
}

describe.skipIf(inject("e2eSkip"))("who gets in, in real browsers", () => {
  const cast = useCast({ label: "access", camera: "small" });

  /** A person whose display name is `name` (the name others see), opening the room's link. */
  async function arrive(room: string, name: string): Promise<Person> {
    const person = await cast.person(name, { rememberName: true });
    await person.page.goto(`/${room}`);
    // The hair check comes first; nobody learns whether the room is locked until Join.
    await joinFromHairCheck(person.page);
    return person;
  }

  async function waitUntilInCall(person: Person): Promise<void> {
    await person.page.getByTestId("self-tile").waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
  }

  async function waitAtLockedDoor(person: Person): Promise<void> {
    await person.page
      .getByRole("heading", { name: "This room is locked" })
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
  }

  it("a locked room takes the right key, lets a knocker in, and removes them again", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;

    // Ada opens a fresh room and locks it with the key the dialog suggests.
    const ada = await arrive(room, "Ada");
    await waitUntilInCall(ada);
    await ada.page.getByRole("button", { name: "Lock room" }).click();
    const lockDialog = ada.page.getByRole("dialog", { name: "Lock room" });
    const key = await lockDialog.getByLabel("Room key").inputValue();
    expect(key, "the suggested key is 16 base32 symbols").toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    await lockDialog.getByRole("button", { name: "Lock", exact: true }).click();
    // Our own lock reads "Locked by you": a name, even our own, is never what says it was us.
    await ada.page.getByText("Locked by you").waitFor({ timeout: UI_TIMEOUT_MS });
    await ada.page.getByRole("button", { name: "Unlock room" }).waitFor();

    // Bob opens the link: asked for the key, and told nothing about who is inside.
    const bob = await arrive(room, "Bob");
    await waitAtLockedDoor(bob);
    expect(await bob.page.getByText(/\bAda\b/).count(), "an outsider sees no names").toBe(0);
    expect(await bob.page.getByTestId("self-tile").count(), "an outsider is not in the call").toBe(0);

    await bob.page.getByLabel("Room key").fill("not-the-key");
    await bob.page.getByRole("button", { name: "Enter room" }).click();
    await bob.page.getByText("That key is wrong. 4 tries left before waits start.").waitFor({ timeout: UI_TIMEOUT_MS });
    await ada.page.getByText("Someone tried a wrong key for this room.").waitFor({ timeout: UI_TIMEOUT_MS });

    await bob.page.getByLabel("Room key").fill(key);
    await bob.page.getByRole("button", { name: "Enter room" }).click();
    await waitUntilInCall(bob);
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);
    await Promise.all([expectRemoteTiles(ada, 1), expectRemoteTiles(bob, 1)]);
    await bob.page.getByText("Locked by Ada").waitFor();
    for (const person of [ada, bob]) {
      expect(await persistedState(person.page), `${person.name}'s URL and storage never hold the key`).not.toContain(
        key,
      );
    }

    // Cy has no key and knocks; both members are asked, Ada admits.
    const cy = await arrive(room, "Cy");
    await waitAtLockedDoor(cy);
    await cy.page.getByRole("button", { name: "Ask to join" }).click();
    await cy.page.getByText("Asking to join… someone inside needs to let you in.").waitFor({ timeout: UI_TIMEOUT_MS });
    await Promise.all(
      [ada, bob].map((person) => person.page.getByText("Cy is asking to join").waitFor({ timeout: UI_TIMEOUT_MS })),
    );
    await ada.page.getByRole("button", { name: "Admit Cy" }).click();

    await waitUntilInCall(cy);
    await expectGone(bob.page, "Cy is asking to join");
    await Promise.all([ada, bob, cy].map((person) => waitForDecodedVideoFrom(person.page, 2)));
    for (const person of [ada, bob, cy]) await expectRemoteTiles(person, 2);

    // The room is locked, so removing Cy only needs a confirmation.
    await ada.page.getByRole("button", { name: "Remove Cy from call" }).click();
    const confirm = ada.page.getByRole("dialog", { name: "Remove Cy from the call?" });
    await confirm.getByRole("button", { name: "Remove", exact: true }).click();

    await cy.page.getByRole("heading", { name: "You were removed from the call" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await cy.page.getByText(`Ada removed you from ${room}.`).waitFor();
    for (const person of [ada, bob]) await expectRemoteTiles(person, 1);
    // Removal hangs up for real on Cy's side...
    await expectHungUp(cy);
    // ...and Ada and Bob are still in a working call.
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);

    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const person of [ada, bob, cy]) {
      await person.page.screenshot({ path: `${SCREENSHOTS}access-${person.name}.png` });
    }
  });
});
