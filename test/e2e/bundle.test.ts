/**
 * What the home page downloads. The room-name generator's word lists (1,536 words) draw the
 * suggested name in the page (so the server never sees it), but in a chunk of their own that
 * the page loads after its first paint; the home page imports the easy-to-guess hint from its own
 * module. This proves on the real build that no import path quietly brings the lists back into
 * the first download, and that the whole home page, lists included, stays within its budget.
 * Likewise the call's styles (tiles, controls, dialogs, chat) live beside its components and load
 * with the room's chunk: the home page's stylesheet holds only the tokens and the shared base.
 * The call's dialogs and chat panel come later still, in a chunk the call fetches once the join has
 * settled: the room shows without it (so the build's page sizes leave it out of the room's total),
 * and it is in before anyone asks for a dialog.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { CREATURES, KINDS, LOOKS, MOODS, THINGS, VERBS } from "../../common/room-name-words";
import { inline, readTokens } from "../../scripts/inline-tokens";
import { joinFromHairCheck, MEDIA_TIMEOUT_MS } from "../helpers/browser";
import { useCast } from "../helpers/cast";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

/** The JavaScript that loading "/" fetches: module scripts and their preloads in index.html. */
function homePageScripts(): string {
  const html = readFileSync(`${DIST}index.html`, "utf8");
  const sources = [
    ...html.matchAll(/<script[^>]*\ssrc="\/([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g),
  ].map((match) => match[1]!);
  expect(sources.length, "index.html loads at least one script").toBeGreaterThan(0);
  return sources.map((source) => readFileSync(DIST + source, "utf8")).join("\n");
}

/** The stylesheets that loading "/" fetches: the ones index.html links. */
function homePageStyles(): string {
  const html = readFileSync(`${DIST}index.html`, "utf8");
  const sources = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="\/([^"]+)"/g)].map((match) => match[1]!);
  expect(sources.length, "index.html links a stylesheet").toBeGreaterThan(0);
  return sources.map((source) => readFileSync(DIST + source, "utf8")).join("\n");
}

/** Selectors only the call uses: a tile, a call control, the chat, the hair check's preview. */
const CALL_SELECTOR = /\.(tile|control|chat|preview__frame)\b/;

describe("the home page bundle", () => {
  it("does not carry the room-name word lists", () => {
    const js = homePageScripts();
    for (const [name, list] of Object.entries({ MOODS, LOOKS, CREATURES, VERBS, KINDS, THINGS })) {
      // Everyday words ("open", "button") appear in any UI code; a shipped list would bring all 256.
      const present = list.filter((word) => new RegExp(`\\b${word}\\b`).test(js));
      expect(present.length, `${name}: ${present.slice(0, 40).join(" ")}`).toBeLessThan(list.length / 4);
    }
  });

  it("loads the word lists lazily, in one chunk, and stays within 35 KB gzip with them and a catalog", () => {
    const initial = homePageScripts();
    const chunks = readdirSync(`${DIST}assets`)
      .filter((file) => file.endsWith(".js"))
      .map((file) => readFileSync(`${DIST}assets/${file}`, "utf8"));
    const withLists = chunks.filter((js) => MOODS.every((word) => js.includes(word)));
    expect(withLists, "exactly one chunk carries the word lists").toHaveLength(1);
    expect(initial).not.toContain(withLists[0]);
    const css = homePageStyles();
    const gzipped = (text: string) => gzipSync(text).byteLength;
    // Before its first render the page also fetches one language's catalog: count the heaviest.
    const catalogs = readdirSync(`${DIST}assets`)
      .filter((file) => /^(en|de|fr|es|pt-BR|ja|ar)-[\w-]+\.js$/.test(file))
      .map((file) => gzipped(readFileSync(`${DIST}assets/${file}`, "utf8")));
    expect(catalogs, "one chunk per language").toHaveLength(7);
    const total = gzipped(initial) + gzipped(css) + gzipped(withLists[0]!) + Math.max(...catalogs);
    expect(total).toBeLessThanOrEqual(35_000);
  });

  it("still carries the easy-to-guess check it needs", () => {
    expect(homePageScripts()).toContain("boardmeeting");
  });

  it("links only the tokens and the shared base, not the call's styles", () => {
    const css = homePageStyles();
    expect(css, "the shared button rule").toMatch(/(^|[},])button\{/);
    // The design tokens come written into their uses (scripts/inline-tokens.ts): the pill radius.
    expect(css, "the tokens' values").toMatch(/(^|[},])button\{[^}]*border-radius:999px/);
    expect(css).not.toMatch(CALL_SELECTOR);
    const stylesheetsWith = (pattern: RegExp) =>
      readdirSync(`${DIST}assets`)
        .filter((file) => file.endsWith(".css"))
        .filter((file) => pattern.test(readFileSync(`${DIST}assets/${file}`, "utf8")));
    expect(stylesheetsWith(CALL_SELECTOR), "the room's and the on-demand chunk's").toHaveLength(2);
    expect(
      stylesheetsWith(/\.(tile|control|preview__frame)\b/),
      "one stylesheet carries the call's rules",
    ).toHaveLength(1);
    // The chat panel is on demand (like the dialogs): its rules come with its chunk.
    expect(stylesheetsWith(/\.chat\b/)).toEqual([expect.stringMatching(/^on-demand-[\w-]+\.css$/)]);
  });
});

describe("the design tokens in the build", () => {
  const stylesheets = () =>
    readdirSync(`${DIST}assets`)
      .filter((file) => file.endsWith(".css"))
      .map((file) => readFileSync(`${DIST}assets/${file}`, "utf8"));
  const tokens = readTokens(
    readFileSync(fileURLToPath(new URL("../../frontend/styles/tokens.css", import.meta.url)), "utf8"),
  );

  it("are written into every stylesheet as values, and their definitions are not shipped", () => {
    expect(tokens.size, "tokens.css defines the tokens").toBeGreaterThan(20);
    const named = stylesheets().flatMap((css) =>
      [...tokens.keys()].filter((name) => css.includes(`${name}:`) || css.includes(`var(${name})`)),
    );
    expect(named).toEqual([]);
  });

  it("stop the build where a stylesheet redefines one, rather than inline a value it overrides", () => {
    expect(() => inline(".tile { --space-2: 1rem; padding: var(--space-2); }", tokens, "Tile.css")).toThrow(
      "Tile.css redefines the token --space-2",
    );
    // A component's own property, and a var() with a fallback, stay as they are.
    expect(inline(".q { color: var(--quality); margin: var(--space-1, 2px) var(--space-2); }", tokens, "Q.css")).toBe(
      ".q { color: var(--quality); margin: var(--space-1, 2px) 0.5rem; }",
    );
  });
});

describe.skipIf(inject("e2eSkip"))("the call's styles in a real browser", () => {
  const cast = useCast({ label: "bundle" });

  /** Style rules of every stylesheet the page has loaded whose selector is one only the call uses. */
  const callRules = (page: Page) =>
    page.evaluate(
      (pattern) =>
        [...document.styleSheets]
          .flatMap((sheet) => [...sheet.cssRules])
          .filter((rule) => rule instanceof CSSStyleRule && new RegExp(pattern).test(rule.selectorText)).length,
      CALL_SELECTOR.source,
    );

  it("arrive with the room's chunk, not with the home page", async () => {
    const { page } = await cast.person("visitor");
    await page.goto("/");
    const roomName = page.getByRole("textbox", { name: "Room name" });
    await roomName.waitFor();
    expect(await callRules(page), "the home page loaded no call styles").toBe(0);
    // The shared base is there: the Join button is drawn as the accent pill.
    const join = page.getByRole("button", { name: "Join", exact: true });
    expect(await join.evaluate((button) => getComputedStyle(button).borderTopLeftRadius)).toBe("999px");

    await roomName.fill(`styles-${randomBytes(6).toString("hex")}`);
    await join.click();
    await page.getByRole("heading", { name: "Ready to join?" }).waitFor();
    expect(await callRules(page), "the room page loaded the call's styles").toBeGreaterThan(0);
    // The hair check's preview is styled by its own file: rounded by the radius token.
    const preview = page.getByTestId("preview");
    expect(await preview.evaluate((frame) => getComputedStyle(frame).borderTopLeftRadius)).toBe("12px");
  });

  it("bring the dialogs and the chat in a chunk fetched once the call has settled, not before", async () => {
    const { page } = await cast.person("caller");
    const fetched: string[] = [];
    page.on("request", (request) => fetched.push(new URL(request.url()).pathname));
    const onDemand = () => fetched.filter((path) => /\/assets\/on-demand-[\w-]+\.(js|css)$/.test(path));
    await page.goto(`/on-demand-${randomBytes(6).toString("hex")}`);
    await page.getByRole("heading", { name: "Ready to join?" }).waitFor();
    await page.waitForLoadState("networkidle");
    expect(onDemand(), "the hair check needs none of it").toEqual([]);

    const arrived = page.waitForResponse((response) => /\/assets\/on-demand-[\w-]+\.js$/.test(response.url()));
    await joinFromHairCheck(page);
    await page.getByTestId("self-tile").waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
    expect((await arrived).ok()).toBe(true);
    expect(
      onDemand().some((path) => path.endsWith(".css")),
      "its styles came with it",
    ).toBe(true);
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByRole("dialog", { name: "Settings" }).waitFor();
  });
});
