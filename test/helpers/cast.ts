/**
 * The people of one e2e test file: one Chromium for the file, a browser context per person, every
 * context closed after each test and, when a test fails, what each browser saw (its console
 * errors, its peer connections' stats, a screenshot), because a failed call in CI can only be
 * debugged from that. `useCast` registers the hooks of the describe block it is called in.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import {
  framesDecoded,
  joinFromHairCheck,
  launchChromium,
  MEDIA_TIMEOUT_MS,
  newPerson,
  type Person,
  SMALL_CAMERA,
} from "./browser";

export const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

export interface PersonOptions {
  /** The app's origin; defaults to the shared `wrangler dev` of global-setup.ts. */
  baseUrl?: string;
  /** Store `name` as the display name the hair check remembers, so that the others see it. */
  rememberName?: boolean;
  /** More script for every page of this person, run before the app's. */
  init?: string;
  /** The browser's preferred language (navigator.languages), e.g. "fr-FR". */
  locale?: string;
  /** Overrides the file's `camera` for this person: "app" keeps the camera the app asks for. */
  camera?: "small" | "app";
}

export interface CastOptions {
  /** Prefixes failure screenshots, so that two files' failures never overwrite each other. */
  label: string;
  /** More about a failed page than its stats, e.g. its selected ICE candidate pairs. */
  describeFailure?: (page: Page) => Promise<string>;
  /** A WAV every person's microphone plays instead of the steady tone (see launchChromium). */
  voiceFile?: string;
  /** More Chromium flags for this file's browser, e.g. `personCameraArgs()` for a camera that films a person. */
  chromiumArgs?: string[];
  /** "small": everyone's camera is SMALL_CAMERA's 320×180 at 15 fps, for files about what a call does, not its picture. */
  camera?: "small" | "app";
}

export interface Cast {
  /** Someone new, with their own browser context (storage, permissions), not yet on any page. */
  person(name: string, options?: PersonOptions): Promise<Person>;
  /** Someone new who opens the room's link, joins from the hair check and sees their own tile. */
  arrive(room: string, name: string, options?: PersonOptions): Promise<Person>;
}

export function useCast({ label, describeFailure, voiceFile, chromiumArgs, camera }: CastOptions): Cast {
  let browser: Browser | undefined;
  let people: Person[] = [];

  beforeAll(async () => {
    browser = await launchChromium(inject("e2eChromiumPath"), chromiumArgs ?? [], { voiceFile });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async ({ task }) => {
    // Here rather than in onTestFailed, which vitest runs only after this hook has closed every page.
    if (task.result?.state === "fail" || (task.result?.errors?.length ?? 0) > 0) {
      await reportFailure(`${label}-${task.name}`, people, describeFailure);
    }
    await Promise.all(people.map((person) => person.context.close().catch(() => {})));
    people = [];
  });

  const person = async (
    name: string,
    { baseUrl, rememberName = false, init, locale, camera: ownCamera }: PersonOptions = {},
  ) => {
    if (!browser) throw new Error("useCast: people can only arrive inside a test");
    const someone = await newPerson(browser, baseUrl ?? inject("e2eBaseUrl"), name, { locale });
    people.push(someone);
    if ((ownCamera ?? camera) === "small") await someone.context.addInitScript({ content: SMALL_CAMERA });
    if (rememberName) {
      await someone.context.addInitScript({
        content: `try { localStorage.setItem("natter:name", ${JSON.stringify(name)}); } catch {}`,
      });
    }
    if (init) await someone.context.addInitScript({ content: init });
    return someone;
  };

  const arrive = async (room: string, name: string, options: PersonOptions = {}) => {
    const someone = await person(name, options);
    await someone.page.goto(`/${room}`);
    await joinFromHairCheck(someone.page);
    await someone.page.getByTestId("self-tile").waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
    return someone;
  };

  return { person, arrive };
}

async function reportFailure(
  testName: string,
  people: readonly Person[],
  describeFailure: CastOptions["describeFailure"],
): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const slug = testName.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  for (const person of people) {
    const lines = [`--- ${person.name} (${person.page.url()}) ---`, ...person.log];
    if (!person.page.isClosed()) {
      const stats = await framesDecoded(person.page).catch((error: Error) => error.message);
      lines.push(`peer connections: ${JSON.stringify(stats)}`);
      if (describeFailure) lines.push(await describeFailure(person.page).catch((error: Error) => error.message));
      await person.page.screenshot({ path: `${SCREENSHOTS}failed-${slug}-${person.name}.png` }).catch(() => {});
    }
    console.error(lines.join("\n"));
  }
}
