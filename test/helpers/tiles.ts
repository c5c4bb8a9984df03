/**
 * What a page's grid shows, read the way a test needs it: the remote tiles, whose they are, and
 * whether a person who left the call really hung up.
 */
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { framesDecoded, MEDIA_TIMEOUT_MS, type Person } from "./browser";

export const remoteTiles = (page: Page): Locator => page.locator('figure[data-testid="remote-tile"]');

/** The peer id behind each remote tile, in grid order. */
export async function remotePeerIds(page: Page): Promise<string[]> {
  const ids = await remoteTiles(page).evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute("data-peer-id")));
  return ids.map((id) => id ?? "(missing data-peer-id)");
}

export async function expectRemoteTiles(person: Person, count: number): Promise<void> {
  await expect
    .poll(() => remoteTiles(person.page).count(), {
      timeout: MEDIA_TIMEOUT_MS,
      message: `${person.name} should show ${count} remote tile(s)`,
    })
    .toBe(count);
}

/** Leaving (or being removed) must hang up for real, not just change the view: every connection is closed. */
export async function expectHungUp(person: Person): Promise<void> {
  await expect
    .poll(async () => (await framesDecoded(person.page)).connections, {
      timeout: MEDIA_TIMEOUT_MS,
      message: `every RTCPeerConnection of ${person.name} should be closed`,
    })
    .toEqual([]);
}
