/**
 * Accessibility in real Chromium: axe-core scans of every page (no serious or critical
 * violations), dialogs that trap focus and give it back, a visible focus ring, reduced motion,
 * and the hair check's way in for someone whose camera and microphone are blocked.
 */
import { randomBytes } from "node:crypto";
import type { Locator, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { seriousViolations } from "../helpers/axe";
import { joinFromHairCheck, MEDIA_TIMEOUT_MS, type Person, waitForDecodedVideoFrom } from "../helpers/browser";
import { useCast } from "../helpers/cast";

const UI_TIMEOUT_MS = 20_000;

describe.skipIf(inject("e2eSkip"))("accessibility in real browsers", () => {
  const cast = useCast({ label: "a11y", camera: "small" });
  const person = (name: string, init?: string) => cast.person(name, { rememberName: true, init });

  async function atHairCheck(visitor: Person, room: string): Promise<void> {
    await visitor.page.goto(`/${room}`);
    await visitor.page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: UI_TIMEOUT_MS });
  }

  async function inCall(visitor: Person, room: string): Promise<void> {
    await atHairCheck(visitor, room);
    await joinFromHairCheck(visitor.page);
    await visitor.page.getByTestId("self-tile").waitFor({ timeout: MEDIA_TIMEOUT_MS });
  }

  const newRoom = () => `a11y-${randomBytes(8).toString("hex")}`;

  /** The text a screen reader reads after the control's name: what its aria-describedby points at. */
  const describedBy = (control: Locator) =>
    control.evaluate((el) => document.getElementById(el.getAttribute("aria-describedby") ?? "")?.textContent ?? null);

  it("home, hair check, call (with chat and settings open) and the left page have no serious violations", async () => {
    const room = newRoom();
    const ada = await person("Ada");
    await ada.page.goto("/");
    await ada.page.getByRole("textbox", { name: "Room name" }).waitFor();
    expect(await seriousViolations(ada.page), "home").toEqual([]);

    await atHairCheck(ada, room);
    await ada.page.getByTestId("preview").locator("video").waitFor({ timeout: MEDIA_TIMEOUT_MS });
    await ada.page.getByRole("combobox", { name: "Camera" }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await seriousViolations(ada.page), "hair check").toEqual([]);

    await joinFromHairCheck(ada.page);
    await ada.page.getByTestId("self-tile").waitFor({ timeout: MEDIA_TIMEOUT_MS });
    const bob = await person("Bob");
    await inCall(bob, room);
    await waitForDecodedVideoFrom(ada.page, 1);
    expect(await seriousViolations(ada.page), "room").toEqual([]);

    await ada.page.getByRole("button", { name: "Mute microphone" }).click();
    await ada.page.getByRole("button", { name: "Turn camera off" }).click();
    await ada.page.getByRole("button", { name: "Chat" }).click();
    await ada.page.getByLabel("Message to everyone").fill("Hello, https://example.com");
    await ada.page.getByLabel("Message to everyone").press("Enter");
    expect(await seriousViolations(ada.page), "room, muted, camera off, chat open").toEqual([]);

    await ada.page.getByRole("button", { name: "Settings" }).click();
    await ada.page.getByRole("dialog", { name: "Settings" }).waitFor();
    expect(await seriousViolations(ada.page), "settings dialog").toEqual([]);
    await ada.page.keyboard.press("Escape");

    await ada.page.getByRole("button", { name: "Leave call" }).click();
    await ada.page.getByRole("heading", { name: `You left ${room}` }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await seriousViolations(ada.page), "left page").toEqual([]);
    // Every page above ran under the site's Content-Security-Policy (no inline script or style).
    expect(ada.log.filter((line) => /Content Security Policy/i.test(line))).toEqual([]);
  });

  it("without camera or microphone, the hair check explains and lets the person watch and listen", async () => {
    const room = newRoom();
    const blocked = `navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));`;
    const ada = await person("Ada", blocked);
    await atHairCheck(ada, room);
    await ada.page.getByText(/Camera and microphone are blocked/).waitFor({ timeout: UI_TIMEOUT_MS });
    await ada.page.getByText(/click the camera or padlock icon/).waitFor();
    // Blur has no camera to act on: its switch stays in view, greyed out, and says why.
    const blur = ada.page.getByRole("checkbox", { name: "Blur my background" });
    expect(await blur.isDisabled()).toBe(true);
    expect(await describedBy(blur)).toBe("Needs a camera");
    expect(await seriousViolations(ada.page), "hair check, blocked").toEqual([]);

    const bob = await person("Bob");
    await inCall(bob, room);
    await ada.page.getByRole("button", { name: "Join to listen and watch" }).click();
    await ada.page.getByTestId("self-tile").waitFor({ timeout: MEDIA_TIMEOUT_MS });
    // Ada sends nothing but still sees Bob; Bob sees her muted, with her initials.
    await waitForDecodedVideoFrom(ada.page, 1);
    const adaOnBob = bob.page.locator('figure[data-testid="remote-tile"]').filter({ hasText: "Ada" });
    await adaOnBob.getByRole("img", { name: "Microphone muted" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await adaOnBob.getByTestId("avatar").waitFor();
  });

  it("a switch is reached with Tab, toggled with Space, and read with its note", async () => {
    const ada = await person("Ada");
    await atHairCheck(ada, newRoom());
    const page = ada.page;
    const noise = page.getByRole("checkbox", { name: "Noise suppression" });
    await noise.waitFor({ timeout: UI_TIMEOUT_MS });
    for (let i = 0; i < 30 && !(await noise.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    expect(await noise.evaluate((el) => el === document.activeElement), "Tab reaches the switch").toBe(true);
    expect(await describedBy(noise)).toBe("Takes keyboard, fan and street noise out of your voice, on this device");
    await page.keyboard.press("Space");
    expect(await noise.isChecked()).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem("natter:noise-suppression"))).toBe("on");
    await page.keyboard.press("Space");
    expect(await noise.isChecked()).toBe(false);
    expect(await page.evaluate(() => localStorage.getItem("natter:noise-suppression"))).toBe("off");
  });

  it("dialogs trap focus and give it back; focus is visible; motion stops when asked", async () => {
    const room = newRoom();
    const ada = await person("Ada");
    await inCall(ada, room);
    const page = ada.page;

    // Keyboard only: Tab until the Settings button has focus, as someone without a mouse would.
    const settings = page.getByRole("button", { name: "Settings" });
    for (let i = 0; i < 40 && !(await settings.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    expect(await settings.evaluate((el) => el === document.activeElement)).toBe(true);
    const ring = await settings.evaluate((el) => {
      const style = getComputedStyle(el);
      return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
    });
    expect(ring.style, "the focused control shows a ring").not.toBe("none");
    expect(ring.width).toBeGreaterThanOrEqual(2);

    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Settings" });
    await dialog.waitFor();
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press("Tab");
      expect(
        await dialog.evaluate((el) => el.contains(document.activeElement)),
        `Tab ${i + 1} stays in the dialog`,
      ).toBe(true);
    }
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await settings.evaluate((el) => el === document.activeElement), "focus is back on Settings").toBe(true);

    // ? opens the shortcut list, in a dialog that also gives focus back.
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await page.keyboard.press("Escape");
    expect(await settings.evaluate((el) => el === document.activeElement)).toBe(true);

    // The fake microphone's steady tone makes the speaking bars show. They are as tall as the
    // level says (their --level), and nothing on the page animates for ever while someone speaks.
    const bars = page.locator('[data-testid="self-tile"] [data-testid="speaking-bars"]');
    await bars.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await endlessAnimations(page), "endless animations while speaking").toEqual([]);
    const quietTall = await middleBarHeightAt(bars, 0);
    const loudTall = await middleBarHeightAt(bars, 1);
    expect(loudTall, "the bars follow the level").toBeGreaterThan(quietTall);
    // Speaking into a muted microphone pulses the mute button a few times, not for ever.
    await page.getByRole("button", { name: "Mute microphone" }).click();
    await page.locator(".control--pulse").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await endlessAnimations(page), "endless animations while speaking muted").toEqual([]);
    await page.getByRole("button", { name: "Unmute microphone" }).click();
    await bars.waitFor({ timeout: UI_TIMEOUT_MS });

    // With reduced motion the bars stand still, whatever the level.
    await page.emulateMedia({ reducedMotion: "reduce" });
    expect(await middleBarHeightAt(bars, 0), "still bars").toBe(await middleBarHeightAt(bars, 1));
  });
});

/** What runs for ever on the page (CSS animations with infinite iterations), by animation name or target. */
function endlessAnimations(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    document
      .getAnimations()
      .filter((a) => a.playState === "running" && a.effect?.getComputedTiming().iterations === Number.POSITIVE_INFINITY)
      .map((a) => ("animationName" in a ? String(a.animationName) : a.id || "animation")),
  );
}

/** The middle bar's drawn height (its scaleY) with the bars' --level set to `level`, as the page would set it. */
function middleBarHeightAt(bars: Locator, level: number): Promise<number> {
  return bars.evaluate((el: HTMLElement, level) => {
    el.style.setProperty("--level", String(level));
    const middle = el.children[1];
    if (!middle) throw new Error("the speaking bars have no middle bar");
    return new DOMMatrixReadOnly(getComputedStyle(middle).transform).d;
  }, level);
}
