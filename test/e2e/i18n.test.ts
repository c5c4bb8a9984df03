/**
 * natter in other languages, in real Chromium: a call in German and one in Arabic (right to left)
 * through the hair check, the call, the lock dialog, the chat (typing indicator included) and the
 * per-person controls on a tile, with no English left on screen (beyond people's and rooms' names)
 * and no serious axe violations; and how the language is chosen
 * (?lang= over the remembered pick, that over the browser's languages, else English), with only
 * the chosen language's catalog downloaded.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { ar } from "../../frontend/i18n/ar";
import { de } from "../../frontend/i18n/de";
import { type Catalog, en } from "../../frontend/i18n/en";
import { format } from "../../frontend/i18n/format";
import { seriousViolations } from "../helpers/axe";
import { MEDIA_TIMEOUT_MS, type Person, waitForDecodedVideoFrom } from "../helpers/browser";
import { useCast } from "../helpers/cast";

const UI_TIMEOUT_MS = 20_000;

/** Every text a catalog holds: its sentences and each of its plural and ordinal forms. */
function texts(catalog: Catalog): string[] {
  return Object.entries(catalog).flatMap(([key, value]) => {
    if (key === "locale") return [];
    if (typeof value === "string") return [value];
    return Object.values("ordinal" in value ? value.ordinal : value);
  });
}

/**
 * The English a page must not show once it speaks `catalog`: each English text cut at its
 * placeholders and plural marks, keeping pieces long enough to mean something (a word of four
 * letters or more). A piece the other language also uses ("Chat" is German too) says nothing.
 */
function englishPieces(catalog: Catalog): string[] {
  const theirs = texts(catalog).join("\n");
  const pieces = texts(en)
    .flatMap((text) => text.split(/\{\w+\}|#/))
    .map((piece) => piece.trim().replace(/^[\s,.:;—–()“”]+|[\s,.:;—–()“”]+$/g, ""))
    .filter((piece) => /\p{L}{4,}/u.test(piece) && !theirs.includes(piece));
  return [...new Set(pieces)];
}

async function englishOnScreen(page: Page, catalog: Catalog): Promise<string[]> {
  // Not a vacuous check: well over a hundred English pieces are looked for.
  expect(englishPieces(catalog).length).toBeGreaterThan(150);
  // What is on screen, as rendered: hidden live regions, tooltips and closed menus are not.
  // biome-ignore lint/performance/useDomNodeTextContent: on-screen text is the point, not the DOM's
  const shown = await page.evaluate(() => document.body.innerText);
  return englishPieces(catalog).filter((piece) => shown.includes(piece));
}

/** The page is in `catalog`'s language: nothing English on it, axe clean, the document says which language. */
async function expectSpoken(page: Page, catalog: Catalog, where: string): Promise<void> {
  expect(await englishOnScreen(page, catalog), `${where}: English left on screen`).toEqual([]);
  expect(await seriousViolations(page), `${where}: axe`).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.lang), where).toBe(catalog.locale);
}

/** A whole journey with six axe scans and two people: more than one call's worth of the default 90 s on a busy machine. */
const JOURNEY_TIMEOUT_MS = 180_000;

const CATALOG_CHUNK = /\/assets\/(en|de|fr|es|pt-BR|ja|ar)-[\w-]+\.js$/;

describe.skipIf(inject("e2eSkip"))("natter in other languages", () => {
  const cast = useCast({ label: "i18n", camera: "small" });

  /** Someone whose page speaks `language`: picked before on this device (remembered), as a returning visitor would. */
  const speaker = (name: string, language: string) =>
    cast.person(name, {
      rememberName: true,
      init: `try { localStorage.setItem("natter:lang", ${JSON.stringify(language)}); } catch {}`,
    });

  async function callIn(language: "de" | "ar", catalog: Catalog): Promise<{ ada: Person; bob: Person }> {
    const room = `i18n-${randomBytes(6).toString("hex")}`;
    const ada = await speaker("Ada", language);
    const page = ada.page;

    await page.goto("/");
    await page.getByRole("textbox", { name: catalog.roomName }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expectSpoken(page, catalog, "home");

    await page.goto(`/${room}`);
    await page.getByRole("heading", { name: catalog.readyToJoin }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByTestId("preview").locator("video").waitFor({ timeout: MEDIA_TIMEOUT_MS });
    await page.getByRole("combobox", { name: catalog.camera }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expectSpoken(page, catalog, "hair check");

    await page.getByRole("button", { name: catalog.join, exact: true }).click();
    await page.getByTestId("self-tile").waitFor({ timeout: MEDIA_TIMEOUT_MS });
    const bob = await speaker("Bob", language);
    await bob.page.goto(`/${room}`);
    await bob.page.getByRole("button", { name: catalog.join, exact: true }).click({ timeout: MEDIA_TIMEOUT_MS });
    await waitForDecodedVideoFrom(page, 1);
    await expectSpoken(page, catalog, "call");

    await page.getByRole("button", { name: catalog.lockRoom }).click();
    const lock = page.getByRole("dialog", { name: catalog.lockRoom });
    await lock.waitFor({ timeout: UI_TIMEOUT_MS });
    await expectSpoken(page, catalog, "lock dialog");
    await lock.getByRole("button", { name: catalog.lock, exact: true }).click();
    await page.getByText(catalog.lockedByYou).waitFor({ timeout: UI_TIMEOUT_MS });

    await page.getByRole("button", { name: catalog.chat, exact: true }).click();
    await page.getByLabel(catalog.messageToEveryone).fill("Hallo, https://example.com");
    await page.getByLabel(catalog.messageToEveryone).press("Enter");
    await bob.page.getByRole("button", { name: new RegExp(`^${catalog.chat}`) }).click();
    await bob.page.getByRole("log").getByText("Hallo,").waitFor({ timeout: UI_TIMEOUT_MS });
    await expectSpoken(page, catalog, "chat (sender)");
    await expectSpoken(bob.page, catalog, "chat (receiver)");

    // Bob writes without sending: Ada sees him typing, and opens what she may change for him alone.
    await bob.page.getByLabel(catalog.messageToEveryone).pressSequentially("Noch");
    const typing = format(catalog.typingOne, { name: "Bob" });
    await page.locator(".chat__typing", { hasText: typing }).waitFor({ timeout: UI_TIMEOUT_MS });
    const bobsSound = format(catalog.soundAndVideoOf, { name: "Bob" });
    await page.getByTestId("remote-tile").getByRole("button", { name: bobsSound }).click();
    await page
      .getByRole("group", { name: format(catalog.forYouOnly, { name: "Bob" }) })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    // The tile's buttons fade in (a CSS transition): axe would measure the contrast of a half-faded menu.
    const actions = page.getByTestId("remote-tile").locator(".tile__actions");
    await expect
      .poll(() => actions.evaluate((element) => getComputedStyle(element).opacity), { timeout: UI_TIMEOUT_MS })
      .toBe("1");
    await expectSpoken(page, catalog, "typing indicator and per-person controls");
    return { ada, bob };
  }

  it(
    "holds a whole call in German: hair check, call, lock dialog and chat, no English left",
    async () => {
      const { ada } = await callIn("de", de);
      expect(await ada.page.evaluate(() => document.documentElement.dir)).toBe("ltr");
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    "holds a whole call in Arabic, laid out right to left",
    async () => {
      const { ada } = await callIn("ar", ar);
      const page = ada.page;
      expect(await page.evaluate(() => document.documentElement.dir)).toBe("rtl");
      // The control bar reads from the right: the microphone first, the way out last (leftmost).
      const mic = await page.getByRole("button", { name: ar.muteMic }).boundingBox();
      const leave = await page.getByRole("button", { name: ar.leaveCall }).boundingBox();
      expect(mic && leave && mic.x > leave.x, "microphone right of Leave").toBe(true);
      // The name on a tile sits at its right edge; the send arrow points left, the way Arabic reads.
      const tile = await page.getByTestId("self-tile").boundingBox();
      const name = await page.getByTestId("self-tile").locator(".tile__name").boundingBox();
      expect(tile && name && tile.x + tile.width - (name.x + name.width) < name.x - tile.x, "name at the right").toBe(
        true,
      );
      const send = page.locator(".chat__send svg");
      expect(await send.evaluate((svg) => getComputedStyle(svg).transform)).toBe("matrix(-1, 0, 0, 1, 0, 0)");
    },
    JOURNEY_TIMEOUT_MS,
  );

  it("chooses ?lang= over the remembered pick, that over the browser's languages, else English; one catalog each", async () => {
    const visitor = await cast.person("Cy", { locale: "fr-FR" });
    const page = visitor.page;
    const catalogs: string[] = [];
    page.on("request", (request) => {
      const match = CATALOG_CHUNK.exec(new URL(request.url()).pathname);
      if (match?.[1]) catalogs.push(match[1]);
    });
    const visit = async (path: string, expected: Catalog) => {
      catalogs.length = 0;
      await page.goto(path);
      await page.getByRole("textbox", { name: expected.roomName }).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(catalogs, `${path}: only the chosen catalog is fetched`).toEqual([expected.locale]);
    };

    // Nothing picked: the browser's languages (fr-FR).
    const { fr } = await import("../../frontend/i18n/fr");
    await visit("/", fr);
    // Picked from the menu: remembered, and it wins over the browser's.
    const { ja } = await import("../../frontend/i18n/ja");
    await page.getByLabel(fr.language).selectOption("ja");
    await page.getByRole("textbox", { name: ja.roomName }).waitFor({ timeout: UI_TIMEOUT_MS });
    await visit("/", ja);
    // ?lang= wins over both, for this visit.
    const { es } = await import("../../frontend/i18n/es");
    await visit("/?lang=es", es);

    // A browser in a language natter does not speak, and nothing picked: English.
    const swede = await cast.person("Sven", { locale: "sv-SE" });
    catalogs.length = 0;
    swede.page.on("request", (request) => {
      const match = CATALOG_CHUNK.exec(new URL(request.url()).pathname);
      if (match?.[1]) catalogs.push(match[1]);
    });
    await swede.page.goto("/");
    await swede.page.getByRole("textbox", { name: en.roomName }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(catalogs).toEqual(["en"]);
  });
});
