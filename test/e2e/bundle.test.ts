/**
 * What the home page downloads. The room-name generator's word lists (1,536 words) are needed
 * only by the Worker; the home page imports the easy-to-guess hint from its own module. This
 * proves on the real build that no import path quietly brings the lists back.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CREATURES, KINDS, LOOKS, MOODS, THINGS, VERBS } from "../../worker/room-name-words";

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

  it("still carries the easy-to-guess check it needs", () => {
    expect(homePageScripts()).toContain("boardmeeting");
  });
});
