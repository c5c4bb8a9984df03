/**
 * Raised hands, reactions and the people list in real Chromium against a real `wrangler dev`:
 * hands keep the order they went up on every page, anyone can lower one, a late joiner sees
 * them, and they go with their owner; reactions float over the sender's tile on every page and
 * a flood is refused. axe scans each new state, and screenshots of each land in
 * test-results/screenshots/ at laptop and phone width (the folder is ignored by git).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { seriousViolations } from "../helpers/axe";
import type { Person } from "../helpers/browser";
import { SCREENSHOTS, useCast } from "../helpers/cast";

// Generous: the machine these run on may be busy; nothing here asserts on time.
const UI_TIMEOUT_MS = 60_000;
/** A test that brings three or four browsers into one call takes longer than the default on a busy machine. */
const FOUR_PEOPLE_MS = 240_000;
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const remoteTile = (page: Page, name: string): Locator =>
  page.locator('figure[data-testid="remote-tile"]').filter({ has: page.locator("figcaption", { hasText: name }) });

/** Each tile's name with its place in the hand queue, for tiles with a hand up. */
async function handsOnTiles(page: Page): Promise<string[]> {
  return page.locator("figure").evaluateAll((tiles) =>
    tiles
      .map((tile) => {
        const hand = tile.querySelector('[data-testid="hand"]');
        const name = tile.querySelector(".person-name")?.textContent ?? "?";
        return hand ? { order: Number(hand.getAttribute("data-order")), name } : null;
      })
      .filter((x): x is { order: number; name: string } => x !== null)
      .sort((a, b) => a.order - b.order)
      .map(({ order, name }) => `${order}:${name}`),
  );
}

describe.skipIf(inject("e2eSkip"))("hands, reactions and the people list in real browsers", () => {
  const cast = useCast({ label: "etiquette", camera: "small" });
  beforeAll(() => {
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  const arrive = (room: string, name: string) => cast.arrive(room, name, { rememberName: true });
  const newRoom = () => `etiquette-${randomBytes(8).toString("hex")}`;

  /** A picture at laptop and at phone width (first: reactions fade), then axe on the page. */
  async function lookAt(person: Person, name: string): Promise<void> {
    const { page } = person;
    for (const [size, viewport] of [
      ["laptop", LAPTOP],
      ["phone", PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: `${SCREENSHOTS}etiquette-${name}-${size}.png` });
    }
    await page.setViewportSize(LAPTOP);
    expect(await seriousViolations(page), name).toEqual([]);
  }

  it(
    "keeps hands in the order they went up, lets anyone lower one, tells late joiners, and drops a leaver's",
    async () => {
      const room = newRoom();
      const ada = await arrive(room, "Ada");
      const bo = await arrive(room, "Bo");
      const cy = await arrive(room, "Cy");
      for (const person of [ada, bo, cy]) await person.page.setViewportSize(LAPTOP);
      await expect
        .poll(() => ada.page.locator('figure[data-testid="remote-tile"]').count(), { timeout: UI_TIMEOUT_MS })
        .toBe(2);

      // Bo by keyboard, then Ada by the button.
      await bo.page.keyboard.press("r");
      await expect.poll(() => handsOnTiles(ada.page), { timeout: UI_TIMEOUT_MS }).toHaveLength(1);
      await ada.page.getByRole("button", { name: "Raise hand" }).click({ timeout: UI_TIMEOUT_MS });
      for (const person of [ada, bo, cy]) {
        await expect
          .poll(async () => (await handsOnTiles(person.page)).map((h) => h.split(":")[1]), { timeout: UI_TIMEOUT_MS })
          .toEqual(["Bo", "Ada"]);
      }
      await expect(ada.page.getByRole("button", { name: "Lower hand" }).isVisible()).resolves.toBe(true);
      await remoteTile(cy.page, "Bo")
        .getByRole("img", { name: "Hand raised, 1st" })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      await lookAt(cy, "hands-raised");

      // Bo has spoken: Cy lowers Bo's hand from the people list.
      await cy.page.keyboard.press("p");
      const panel = cy.page.getByRole("region", { name: /People/ });
      await panel.waitFor({ timeout: UI_TIMEOUT_MS });
      await expect
        .poll(() => panel.getByTestId("person").locator(".person-name").allTextContents(), { timeout: UI_TIMEOUT_MS })
        .toEqual(["Bo", "Ada", "Cy"]);
      await lookAt(cy, "people-list");
      await panel.getByRole("button", { name: "Lower hand for Bo" }).click({ timeout: UI_TIMEOUT_MS });
      for (const person of [ada, bo, cy]) {
        await expect
          .poll(async () => (await handsOnTiles(person.page)).map((h) => h.split(":")[1]), { timeout: UI_TIMEOUT_MS })
          .toEqual(["Ada"]);
      }
      await expect
        .poll(() => bo.page.getByRole("button", { name: "Raise hand" }).count(), { timeout: UI_TIMEOUT_MS })
        .toBe(1);

      // Someone late sees Ada's hand, told by the room's welcome.
      const di = await arrive(room, "Di");
      await remoteTile(di.page, "Ada")
        .getByRole("img", { name: "Hand raised, 1st" })
        .waitFor({ timeout: UI_TIMEOUT_MS });
      expect((await handsOnTiles(di.page)).map((h) => h.split(":")[1])).toEqual(["Ada"]);

      // Ada leaves: her hand goes with her.
      await ada.page.getByRole("button", { name: "Leave call" }).click({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => remoteTile(di.page, "Ada").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
      expect(await handsOnTiles(di.page)).toEqual([]);
    },
    FOUR_PEOPLE_MS,
  );

  it("floats a reaction over the sender's tile on every page, and refuses a flood", async () => {
    const room = newRoom();
    const ada = await arrive(room, "Ada");
    const bo = await arrive(room, "Bo");
    for (const person of [ada, bo]) await person.page.setViewportSize(LAPTOP);
    await remoteTile(bo.page, "Ada").waitFor({ timeout: UI_TIMEOUT_MS });
    // Every reaction that appears on Bo's page, counted as it is drawn (they go after a few seconds).
    await bo.page.evaluate(() => {
      const w = window as unknown as { reactionsSeen: string[] };
      w.reactionsSeen = [];
      new MutationObserver((records) => {
        for (const record of records)
          for (const node of record.addedNodes)
            if (node instanceof Element)
              for (const r of [node, ...node.querySelectorAll("*")])
                if (r.getAttribute("data-testid") === "reaction") w.reactionsSeen.push(r.textContent ?? "");
      }).observe(document.body, { childList: true, subtree: true });
    });
    const seenByBo = () => bo.page.evaluate(() => (window as unknown as { reactionsSeen: string[] }).reactionsSeen);

    await ada.page.getByRole("button", { name: "Reactions" }).click({ timeout: UI_TIMEOUT_MS });
    const menu = ada.page.getByRole("group", { name: "Send a reaction" });
    await menu.waitFor({ timeout: UI_TIMEOUT_MS });
    await lookAt(ada, "reaction-menu");
    await menu.getByRole("button", { name: "React with celebration" }).click({ timeout: UI_TIMEOUT_MS });
    await remoteTile(bo.page, "Ada")
      .getByTestId("reaction")
      .filter({ hasText: "🎉" })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await ada.page
      .getByTestId("self-tile")
      .getByTestId("reaction")
      .filter({ hasText: "🎉" })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await ada.page.keyboard.press("Escape");
    await lookAt(bo, "reaction-shown");
    await expect.poll(() => seenByBo(), { timeout: UI_TIMEOUT_MS }).toEqual(["🎉"]);

    // A flood by keyboard: far more than the allowance, as fast as the keyboard goes.
    const FLOOD = 30;
    for (let i = 0; i < FLOOD; i++) await ada.page.keyboard.press("1");
    await ada.page.getByText("Too many reactions at once").waitFor({ timeout: UI_TIMEOUT_MS });
    // Bo's own reaction still goes through at once: the flood slowed nobody else.
    await bo.page.keyboard.press("2");
    await remoteTile(ada.page, "Bo")
      .getByTestId("reaction")
      .filter({ hasText: "👏" })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    const seen = await seenByBo();
    const fromAda = seen.filter((emoji) => emoji === "👍").length;
    expect(fromAda).toBeGreaterThan(0);
    expect(fromAda).toBeLessThan(FLOOD);
  });
});

describe.skipIf(inject("e2eSkip"))("the speaker view and the floating window in real browsers", () => {
  const cast = useCast({ label: "views", camera: "small" });
  const arrive = (room: string, name: string) => cast.arrive(room, name, { rememberName: true });
  const newRoom = () => `views-${randomBytes(8).toString("hex")}`;

  it(
    "switches to the speaker view, puts someone on the stage, and remembers it for the next call",
    async () => {
      const room = newRoom();
      const ada = await arrive(room, "Ada");
      await arrive(room, "Bo");
      await arrive(room, "Cy");
      const { page } = ada;
      await page.setViewportSize(LAPTOP);
      await expect
        .poll(() => page.locator('figure[data-testid="remote-tile"]').count(), { timeout: UI_TIMEOUT_MS })
        .toBe(2);
      await page.keyboard.press("l");
      const toggle = page.getByRole("button", { name: "Speaker view" });
      await expect.poll(() => toggle.getAttribute("aria-pressed"), { timeout: UI_TIMEOUT_MS }).toBe("true");
      const spotlit = page.locator('figure[data-testid="remote-tile"].tile--spotlight');
      await expect.poll(() => spotlit.count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
      expect(await page.locator(".grid--spotlight").count()).toBe(1);
      expect(await seriousViolations(page), "speaker view").toEqual([]);
      for (const [size, viewport] of [
        ["laptop", LAPTOP],
        ["phone", PHONE],
      ] as const) {
        await page.setViewportSize(viewport);
        await page.screenshot({ path: `${SCREENSHOTS}etiquette-speaker-view-${size}.png` });
      }
      await page.setViewportSize(LAPTOP);

      // Remembered on this device: leave, rejoin (a new call view), and it is still the speaker view.
      expect(await page.evaluate(() => localStorage.getItem("natter:layout"))).toBe("speaker");
      await page.getByRole("button", { name: "Leave call" }).click({ timeout: UI_TIMEOUT_MS });
      await page.getByRole("button", { name: "Rejoin" }).click({ timeout: UI_TIMEOUT_MS });
      await page.getByRole("button", { name: /^Join/ }).click({ timeout: UI_TIMEOUT_MS });
      await expect
        .poll(() => page.getByRole("button", { name: "Speaker view" }).getAttribute("aria-pressed"), {
          timeout: UI_TIMEOUT_MS,
        })
        .toBe("true");
      await toggle.click({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => page.locator(".grid--spotlight").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    },
    FOUR_PEOPLE_MS,
  );

  it("floats the call's tiles in a picture-in-picture window and brings them back", async () => {
    const room = newRoom();
    const ada = await arrive(room, "Ada");
    await arrive(room, "Bo");
    const { page } = ada;
    await page.setViewportSize(LAPTOP);
    // Both pictures playing before they float: the test is that they go on playing there.
    await expect
      .poll(
        () => page.locator("figure video").evaluateAll((videos) => videos.map((v) => !(v as HTMLVideoElement).paused)),
        {
          timeout: UI_TIMEOUT_MS,
        },
      )
      .toEqual([true, true]);
    const support = await page.evaluate(() => ({
      document: "documentPictureInPicture" in window,
      video: document.pictureInPictureEnabled,
    }));
    console.info(`picture-in-picture in this Chromium: ${JSON.stringify(support)}`);
    const button = page.getByRole("button", { name: "Float the call" });
    if (!support.document && !support.video) {
      expect(await button.count(), "no button where nothing can float").toBe(0);
      return;
    }
    const pipPage = support.document
      ? ada.context.waitForEvent("page", { timeout: UI_TIMEOUT_MS }).catch(() => null)
      : null;
    await button.click({ timeout: UI_TIMEOUT_MS });
    if (support.document) {
      await expect
        .poll(
          () =>
            page.evaluate(() => {
              const pip = (window as unknown as { documentPictureInPicture: { window: Window | null } })
                .documentPictureInPicture.window;
              return pip ? pip.document.querySelectorAll("figure").length : -1;
            }),
          { timeout: UI_TIMEOUT_MS },
        )
        .toBe(2);
      expect(await page.locator("figure").count(), "the tiles left the page for the window").toBe(0);
      // The video keeps playing in the window.
      const playing = await page.evaluate(() => {
        const pip = (window as unknown as { documentPictureInPicture: { window: Window } }).documentPictureInPicture
          .window;
        return [...pip.document.querySelectorAll("video")].map((v) => !v.paused);
      });
      expect(playing).toEqual([true, true]);
      const floating = await pipPage;
      if (floating) await floating.screenshot({ path: `${SCREENSHOTS}etiquette-pip-window.png` });
      await page.getByText("The call is in a floating window.").waitFor();
      // The view goes on drawing around the tiles that left it: the chat opens beside the gap.
      await page.keyboard.press("c");
      await page.getByRole("region", { name: "Chat" }).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await seriousViolations(page), "call page while floating").toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}etiquette-pip-page-laptop.png` });
      await page.getByRole("button", { name: "Bring the call back" }).click({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => page.locator("figure").count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
      expect(await page.getByText("The call is in a floating window.").count()).toBe(0);
      // Again, closed from the bar this time (and by F to open it).
      await page.locator("body").click({ position: { x: 5, y: 400 } });
      await page.keyboard.press("f");
      await expect.poll(() => page.locator("figure").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
      await page.getByRole("button", { name: "Close floating window" }).click({ timeout: UI_TIMEOUT_MS });
      await expect.poll(() => page.locator("figure").count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
      expect(ada.log.filter((line) => line.startsWith("pageerror"))).toEqual([]);
    } else {
      await expect
        .poll(() => page.evaluate(() => document.pictureInPictureElement !== null), { timeout: UI_TIMEOUT_MS })
        .toBe(true);
      await page.getByRole("button", { name: "Close floating window" }).click({ timeout: UI_TIMEOUT_MS });
      await expect
        .poll(() => page.evaluate(() => document.pictureInPictureElement === null), { timeout: UI_TIMEOUT_MS })
        .toBe(true);
    }
  });

  it("floats the speaker's video on its own where only the video element's picture-in-picture exists", async () => {
    const room = newRoom();
    // As in Safari: no Document Picture-in-Picture.
    const hide = "Object.defineProperty(window, 'documentPictureInPicture', { value: undefined, configurable: true });";
    const ada = await cast.arrive(room, "Ada", { rememberName: true, init: hide });
    await arrive(room, "Bo");
    const { page } = ada;
    // A video floats only once it has a picture (the element's own rule): wait for Bo's.
    await expect
      .poll(
        () =>
          remoteTile(page, "Bo")
            .locator("video")
            .evaluate((v: HTMLVideoElement) => v.readyState),
        {
          timeout: UI_TIMEOUT_MS,
        },
      )
      .toBeGreaterThanOrEqual(1);
    if (!(await page.evaluate(() => document.pictureInPictureEnabled))) return;
    await page.getByRole("button", { name: "Float the call" }).click({ timeout: UI_TIMEOUT_MS });
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const floating = document.pictureInPictureElement;
            return floating?.closest("figure")?.getAttribute("data-testid") ?? null;
          }),
        { timeout: UI_TIMEOUT_MS },
      )
      .toBe("remote-tile");
    await page.getByRole("button", { name: "Close floating window" }).click({ timeout: UI_TIMEOUT_MS });
    await expect
      .poll(() => page.evaluate(() => document.pictureInPictureElement === null), { timeout: UI_TIMEOUT_MS })
      .toBe(true);
  });
});
