/**
 * A CallPerson in Chromium: the Playwright Person of browser.ts (its context, recorders and log)
 * behind the PageDriver that call-person.ts writes the operations against.
 */
import type { Browser } from "playwright-core";
import { MEDIA_TIMEOUT_MS, newPerson } from "./browser";
import { type CallPerson, callPerson, UI_TIMEOUT_MS } from "./call-person";

export async function newChromiumPerson(
  browser: Browser,
  baseUrl: string,
  name: string,
  scripts: readonly string[] = [],
): Promise<CallPerson> {
  const { context, page, log } = await newPerson(browser, baseUrl, name);
  for (const script of scripts) await context.addInitScript({ content: script });
  return callPerson(
    name,
    "chromium",
    {
      async goto(path) {
        await page.goto(path, { timeout: MEDIA_TIMEOUT_MS });
      },
      url: () => page.url(),
      // Playwright's overloads cannot follow a generic argument through; the PageDriver signature is the contract.
      evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) =>
        page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown),
      async click(selector, timeoutMs = UI_TIMEOUT_MS) {
        await page.locator(selector).click({ timeout: timeoutMs });
      },
      async fill(selector, text, timeoutMs = UI_TIMEOUT_MS) {
        await page.locator(selector).fill(text, { timeout: timeoutMs });
      },
      async waitFor(selector, timeoutMs = UI_TIMEOUT_MS) {
        await page.locator(selector).first().waitFor({ state: "visible", timeout: timeoutMs });
      },
      async screenshot(path) {
        await page.screenshot({ path });
      },
      isClosed: () => page.isClosed(),
      close: () => context.close(),
    },
    log,
  );
}
