/**
 * The people of a cross-browser e2e file: one Chromium and one Firefox for the file, a browser
 * context per person, every context closed after each test, and, when a test fails, what each
 * browser saw (console errors, peer connection stats, a screenshot). The hooks are registered in
 * the describe block `useMixedCast` is called in.
 */
import { mkdirSync } from "node:fs";
import type { Browser as ChromiumBrowser } from "playwright-core";
import type { Browser as FirefoxBrowser } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { launchChromium } from "./browser";
import type { BrowserName, CallPerson } from "./call-person";
import { SCREENSHOTS } from "./cast";
import { newChromiumPerson } from "./chromium-person";
import { launchFirefox, newFirefoxPerson } from "./firefox";

export interface MixedCast {
  /** Someone new in `browser`, with their own context, not yet on any page. */
  person(name: string, browser: BrowserName): Promise<CallPerson>;
  /** Someone new who opens the room, types their name, joins and sees their own tile. */
  arrive(room: string, name: string, browser: BrowserName): Promise<CallPerson>;
}

/** `firefoxScripts` run in every Firefox page before its own (e.g. firefox-camera.ts). */
export function useMixedCast(
  label: string,
  {
    firefoxScripts = [],
    chromiumScripts = [],
  }: {
    /** Run before each Firefox page's own script (e.g. a camera that films a person). */
    firefoxScripts?: readonly string[];
    /** Run before each Chromium page's own script (e.g. SMALL_CAMERA). */
    chromiumScripts?: readonly string[];
  } = {},
): MixedCast {
  let chromium: ChromiumBrowser | undefined;
  let firefox: FirefoxBrowser | undefined;
  let people: CallPerson[] = [];

  beforeAll(async () => {
    [chromium, firefox] = await Promise.all([
      launchChromium(inject("e2eChromiumPath")),
      launchFirefox(inject("e2eFirefoxPath")),
    ]);
  });
  afterAll(async () => {
    await Promise.all([chromium?.close(), firefox?.close()]);
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail" || (task.result?.errors?.length ?? 0) > 0) {
      await reportFailure(`${label}-${task.name}`, people);
    }
    await Promise.all(people.map((someone) => someone.driver.close().catch(() => {})));
    people = [];
  });

  const person = async (name: string, browser: BrowserName) => {
    const baseUrl = inject("e2eBaseUrl");
    let someone: CallPerson;
    if (browser === "chromium") {
      if (!chromium) throw new Error("useMixedCast: people can only arrive inside a test");
      someone = await newChromiumPerson(chromium, baseUrl, name, chromiumScripts);
    } else {
      if (!firefox) throw new Error("useMixedCast: people can only arrive inside a test");
      someone = await newFirefoxPerson(firefox, baseUrl, name, firefoxScripts);
    }
    people.push(someone);
    return someone;
  };

  const arrive = async (room: string, name: string, browser: BrowserName) => {
    const someone = await person(name, browser);
    await someone.arrive(room);
    return someone;
  };

  return { person, arrive };
}

async function reportFailure(testName: string, people: readonly CallPerson[]): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const slug = testName.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  for (const someone of people) {
    const lines = [`--- ${someone.name} in ${someone.browser} (${someone.driver.url()}) ---`, ...someone.log];
    if (!someone.driver.isClosed()) {
      const stats = await someone.decodedVideo().catch((error: Error) => error.message);
      lines.push(`peer connections: ${JSON.stringify(stats)}`);
      await someone.driver.screenshot(`${SCREENSHOTS}failed-${slug}-${someone.name}.png`).catch(() => {});
    }
    console.error(lines.join("\n"));
  }
}
