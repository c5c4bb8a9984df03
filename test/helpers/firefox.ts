/**
 * Real Firefox for the e2e tests. Playwright cannot drive a stock Firefox (its contexts need a
 * BiDi command Firefox lacks); puppeteer-core can, over WebDriver BiDi, with Debian's firefox-esr.
 * Each person gets a browser context of their own and one tab, and the same recorders of peer
 * connections and sockets as Chromium's people (browser.ts), so the same stats code reads them.
 */
import puppeteer, { type Browser, type BrowserContext, type ElementHandle, type Page } from "puppeteer-core";
import { MEDIA_TIMEOUT_MS, RECORD_PEER_CONNECTIONS, RECORD_WEB_SOCKETS } from "./browser";
import { type CallPerson, callPerson, type PageDriver, UI_TIMEOUT_MS } from "./call-person";

/** The prefs that make a headless Firefox a call participant (each one is explained below). */
export const FIREFOX_PREFS: Record<string, unknown> = {
  // A synthetic camera (a colour that cycles) and microphone, granted without a prompt.
  "media.navigator.streams.fake": true,
  "media.navigator.permission.disabled": true,
  // Remote <video> plays without a click, or nothing would pull frames through the decoder.
  "media.autoplay.default": 0,
  "media.autoplay.blocking_policy": 0,
  // Without an audio device every AudioContext stays suspended: no mic meter, no "You are muted".
  "media.cubeb.force_mock_context": true,
  "media.peerconnection.ice.obfuscate_host_addresses": false,
  // The "pop out" toggle of picture-in-picture covers the tiles' buttons.
  "media.videocontrols.picture-in-picture.video-toggle.enabled": false,
};

export async function launchFirefox(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    browser: "firefox",
    protocol: "webDriverBiDi",
    executablePath,
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
  });
}

/** Someone in Firefox, not yet on any page; `scripts` run before the page's own (e.g. a test camera). */
export async function newFirefoxPerson(
  browser: Browser,
  baseUrl: string,
  name: string,
  scripts: readonly string[] = [],
): Promise<CallPerson> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  await page.evaluateOnNewDocument(RECORD_WEB_SOCKETS);
  for (const script of scripts) await page.evaluateOnNewDocument(script);
  const log: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error" && message.type() !== "warn") return;
    // text() shows an Error argument as "JSHandle@error"; its name and message are what a failure needs.
    const entry = log.push(`console.${message.type()}: ${message.text()}`) - 1;
    void Promise.all(message.args().map((arg) => arg.evaluate(describeValue).catch(() => "?")))
      .then((parts) => {
        log[entry] = `console.${message.type()}: ${parts.join(" ")}`;
      })
      .catch(() => {});
  });
  page.on("pageerror", (error) => log.push(`pageerror: ${error instanceof Error ? error.stack : String(error)}`));
  page.on("requestfailed", (request) =>
    log.push(`requestfailed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
  );
  return callPerson(name, "firefox", firefoxDriver(context, page, baseUrl), log);
}

function firefoxDriver(context: BrowserContext, page: Page, baseUrl: string): PageDriver {
  return {
    async goto(path) {
      await page.goto(new URL(path, baseUrl).href, { timeout: MEDIA_TIMEOUT_MS });
    },
    url: () => page.url(),
    // puppeteer's types cannot follow a generic argument through; the PageDriver signature is the contract.
    evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) =>
      page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown) as Promise<R>,
    async click(selector, timeoutMs = UI_TIMEOUT_MS) {
      await (await visible(page, selector, timeoutMs, { enabled: true })).click();
    },
    async fill(selector, text, timeoutMs = UI_TIMEOUT_MS) {
      const field = await visible(page, selector, timeoutMs, { enabled: true });
      // Select what is there and type over it, as a person would: the page hears every input event.
      await field.evaluate((el) => {
        (el as HTMLInputElement).focus();
        (el as HTMLInputElement).select();
      });
      if (text === "") await page.keyboard.press("Backspace");
      else await page.keyboard.type(text);
    },
    async waitFor(selector, timeoutMs = UI_TIMEOUT_MS) {
      await visible(page, selector, timeoutMs);
    },
    async screenshot(path) {
      await page.screenshot({ path: path as `${string}.png` });
    },
    isClosed: () => page.isClosed(),
    close: () => context.close(),
  };
}

/** Runs in the page: one console argument as text, an Error as "Name: message". */
function describeValue(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
}

/**
 * Waits until `selector` matches a visible (and, with `enabled`, enabled) element, and returns it.
 * Polled with evaluate, not puppeteer's waitForSelector or locators: those build their pollers
 * with Function(), which the app's Content-Security-Policy (no 'unsafe-eval') blocks in Firefox
 * ESR 140.12 ("call to Function() blocked by CSP": every wait then timed out).
 */
async function visible(
  page: Page,
  selector: string,
  timeoutMs: number,
  { enabled = false }: { enabled?: boolean } = {},
): Promise<ElementHandle<Element>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await page
      .evaluate(
        (selector, enabled) => {
          const element = document.querySelector(selector);
          if (!element) return false;
          const box = element.getBoundingClientRect();
          const style = getComputedStyle(element);
          if (box.width === 0 || box.height === 0 || style.visibility === "hidden") return false;
          return !enabled || !(element as HTMLButtonElement).disabled;
        },
        selector,
        enabled,
      )
      .catch(() => false);
    if (ready) {
      const element = await page.$(selector);
      if (element) return element;
    }
    if (Date.now() > deadline) throw new Error(`Firefox: no visible ${selector} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
