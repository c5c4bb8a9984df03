/**
 * What the home page downloads. The room-name generator's word lists (1,536 words) draw the
 * suggested name in the page (so the server never sees it), but in a chunk of their own that
 * the page loads after its first paint; the home page imports the easy-to-guess hint from its own
 * module. This proves on the real build that no import path quietly brings the lists back into
 * the first download, and that the whole home page, lists included, stays within its budget.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CREATURES, KINDS, LOOKS, MOODS, THINGS, VERBS } from "../../common/room-name-words";

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

describe("the home page bundle", () => {
  it("does not carry the room-name word lists", () => {
    const js = homePageScripts();
    for (const [name, list] of Object.entries({ MOODS, LOOKS, CREATURES, VERBS, KINDS, THINGS })) {
      // Everyday words ("open", "button") appear in any UI code; a shipped list would bring all 256.
      const present = list.filter((word) => new RegExp(`\\b${word}\\b`).test(js));
      expect(present.length, `${name}: ${present.slice(0, 40).join(" ")}`).toBeLessThan(list.length / 4);
    }
  });

  it("loads the word lists lazily, in one chunk, and stays within 35 KB gzip with them", () => {
    const initial = homePageScripts();
    const chunks = readdirSync(`${DIST}assets`)
      .filter((file) => file.endsWith(".js"))
      .map((file) => readFileSync(`${DIST}assets/${file}`, "utf8"));
    const withLists = chunks.filter((js) => MOODS.every((word) => js.includes(word)));
    expect(withLists, "exactly one chunk carries the word lists").toHaveLength(1);
    expect(initial).not.toContain(withLists[0]);
    const css = readdirSync(`${DIST}assets`)
      .filter((file) => file.endsWith(".css"))
      .map((file) => readFileSync(`${DIST}assets/${file}`, "utf8"))
      .join("\n");
    const gzipped = (text: string) => gzipSync(text).byteLength;
    const total = gzipped(initial) + gzipped(css) + gzipped(withLists[0]!);
    expect(total).toBeLessThanOrEqual(35_000);
  });

  it("still carries the easy-to-guess check it needs", () => {
    expect(homePageScripts()).toContain("boardmeeting");
  });
});
