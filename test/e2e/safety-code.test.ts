/**
 * Safety codes in real browsers: in a three-person call, the two ends of every connection show
 * the same code (derived from the DTLS certificates each browser actually uses), and different
 * connections show different codes. Also: a display name carrying HTML renders as text.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { waitForDecodedVideoFrom } from "../helpers/browser";
import { useCast } from "../helpers/cast";

const UI_TIMEOUT_MS = 20_000;
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">';

describe.skipIf(inject("e2eSkip"))("safety codes in real browsers", () => {
  const cast = useCast({ label: "safety-code" });
  const arrive = (room: string, name: string) => cast.arrive(room, name, { rememberName: true });

  /** Opens the tile's "Verify safety code" dialog, reads the code, and closes it again. */
  async function codeWith(page: Page, name: string, { markVerified = false } = {}): Promise<string> {
    await page.getByRole("button", { name: `Verify safety code with ${name}` }).click({ timeout: UI_TIMEOUT_MS });
    const dialog = page.getByRole("dialog", { name: `Safety code with ${name}` });
    const code = dialog.getByTestId("safety-code");
    await code.waitFor({ timeout: UI_TIMEOUT_MS });
    const text = (await code.textContent())?.trim() ?? "";
    if (markVerified)
      await dialog.getByRole("checkbox", { name: "Mark as verified" }).check({ timeout: UI_TIMEOUT_MS });
    await dialog.getByRole("button", { name: "Done" }).click({ timeout: UI_TIMEOUT_MS });
    return text;
  }

  it("shows identical codes on both ends of every connection, and different codes for different pairs", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const [ada, bo, cy] = [await arrive(room, "Ada"), await arrive(room, "Bo"), await arrive(room, "Cy")];
    for (const person of [ada, bo, cy]) await waitForDecodedVideoFrom(person.page, 2);

    const pairs = [
      [ada, bo],
      [ada, cy],
      [bo, cy],
    ] as const;
    const codes: string[] = [];
    for (const [one, other] of pairs) {
      const seenByOne = await codeWith(one.page, other.name);
      const seenByOther = await codeWith(other.page, one.name);
      expect(seenByOne).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
      expect(seenByOther, `${one.name} and ${other.name} see the same code`).toBe(seenByOne);
      codes.push(seenByOne);
    }
    expect(new Set(codes).size).toBe(3);

    // Marking a code as verified shows a badge on that tile only.
    await codeWith(ada.page, "Bo", { markVerified: true });
    const boTile = ada.page.locator('figure[data-testid="remote-tile"]').filter({ hasText: "Bo" });
    await expect.poll(() => boTile.getByRole("img", { name: "Safety code verified" }).count()).toBe(1);
    const cyTile = ada.page.locator('figure[data-testid="remote-tile"]').filter({ hasText: "Cy" });
    expect(await cyTile.getByRole("img", { name: "Safety code verified" }).count()).toBe(0);
  });

  it("renders a display name carrying HTML as text and runs nothing", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const mallory = await arrive(room, HOSTILE_NAME);
    const ada = await arrive(room, "Ada");
    const caption = ada.page.locator('figure[data-testid="remote-tile"] figcaption');
    await expect.poll(() => caption.textContent(), { timeout: UI_TIMEOUT_MS }).toContain(HOSTILE_NAME);
    expect(await ada.page.locator('figure[data-testid="remote-tile"] img[src="x"]').count()).toBe(0);
    for (const page of [ada.page, mallory.page]) {
      expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    }
  });
});
