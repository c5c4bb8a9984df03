/**
 * Two people with the same name, in real browsers against a real `wrangler dev`: each screen tells
 * them apart with the same tags, "Locked by" names the right one (and says "you" to the one who
 * locked), and names are drawn as bidi isolates by the browser's own layout.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { MEDIA_TIMEOUT_MS } from "../helpers/browser";
import { SCREENSHOTS, useCast } from "../helpers/cast";
import { expectRemoteTiles } from "../helpers/tiles";

const UI_TIMEOUT_MS = 15_000;

const caption = (page: Page, testId: string) => page.getByTestId(testId).locator("figcaption").first().textContent();

describe.skipIf(inject("e2eSkip"))("names in real browsers", () => {
  const cast = useCast({ label: "names", camera: "small" });

  it("tells apart two people called Alex everywhere, the lock included", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const first = await cast.arrive(room, "Alex", { rememberName: true });
    const second = await cast.arrive(room, "alex", { rememberName: true });
    await Promise.all([expectRemoteTiles(first, 1), expectRemoteTiles(second, 1)]);

    // Each sees a tag on both tiles, and the tags agree across the two screens.
    const tagged = /^(Alex|alex) #([0-9a-f]{4,})( \(you\))?$/;
    await expect.poll(() => caption(first.page, "self-tile"), { timeout: MEDIA_TIMEOUT_MS }).toMatch(tagged);
    await expect.poll(() => caption(second.page, "self-tile"), { timeout: MEDIA_TIMEOUT_MS }).toMatch(tagged);
    const firstSelf = (await caption(first.page, "self-tile")) ?? "";
    const secondSelf = (await caption(second.page, "self-tile")) ?? "";
    expect(firstSelf.endsWith(" (you)")).toBe(true);
    expect(await caption(second.page, "remote-tile")).toBe(firstSelf.replace(" (you)", ""));
    expect(await caption(first.page, "remote-tile")).toBe(secondSelf.replace(" (you)", ""));
    expect(firstSelf.replace(" (you)", "")).not.toBe(secondSelf.replace(" (you)", ""));

    // The second Alex locks: the first is told which Alex did it, the second that it was them.
    await second.page.getByRole("button", { name: "Lock room" }).click();
    await second.page
      .getByRole("dialog", { name: "Lock room" })
      .getByRole("button", { name: "Lock", exact: true })
      .click();
    await second.page.getByText("Locked by you").waitFor({ timeout: UI_TIMEOUT_MS });
    await first.page.getByText(`Locked by ${secondSelf.replace(" (you)", "")}`).waitFor({ timeout: UI_TIMEOUT_MS });

    // The browser itself lays the name out as an isolate, apart from the words around it.
    const isolation = await first.page
      .getByTestId("remote-tile")
      .locator("bdi")
      .evaluate((element) => getComputedStyle(element).unicodeBidi);
    expect(isolation).toBe("isolate");
    await first.page.mouse.move(0, 0);
    await first.page.screenshot({ path: `${SCREENSHOTS}names-two-alex.png` });
  }, 180_000);

  it("refuses a name with a right-to-left override on the hair check, before joining", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const person = await cast.person("Mallory");
    await person.page.goto(`/${room}`);
    const input = person.page.getByLabel("Your name");
    await input.fill("Ada\u202E(uoy)");
    await person.page.getByRole("button", { name: /^Join/ }).click();
    await person.page
      .getByText("A name must not contain characters that change the direction of text (U+202E).")
      .waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await person.page.getByTestId("self-tile").count(), "not in the call").toBe(0);
  }, 120_000);
});
