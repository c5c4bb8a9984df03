/**
 * Waiting for a page to decode video: polls what `read` (run in the page) counts until it is
 * above zero or MEDIA_TIMEOUT_MS has passed, and returns the last count, so the test's own
 * assertion (with its own words on where the media stopped) decides.
 */
import type { Page } from "playwright-core";
import { MEDIA_TIMEOUT_MS } from "./browser";

export async function waitForDecodedFrames(page: Page, read: () => Promise<number>): Promise<number> {
  const deadline = Date.now() + MEDIA_TIMEOUT_MS;
  let frames = await page.evaluate(read);
  while (frames === 0 && Date.now() < deadline) {
    await page.waitForTimeout(100);
    frames = await page.evaluate(read);
  }
  return frames;
}
