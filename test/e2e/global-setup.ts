/**
 * Starts one real `wrangler dev` (the built SPA + Worker + Room Durable Object) for the whole e2e run
 * and tells the test files where it is and which Chromium and Firefox to drive.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { INSTALL_HINT } from "../../tooling/system-packages";
import { startWrangler } from "../../tooling/wrangler";

declare module "vitest" {
  interface ProvidedContext {
    /** True when there is no Chromium on a developer machine: every e2e test is skipped, loudly. */
    e2eSkip: boolean;
    /** Origin of the `wrangler dev` under test, e.g. http://127.0.0.1:41234 (empty when skipped). */
    e2eBaseUrl: string;
    /** Chromium executable the tests launch (empty when skipped). */
    e2eChromiumPath: string;
    /** True when there is no Firefox on a developer machine: the Firefox tests are skipped, loudly. */
    e2eFirefoxSkip: boolean;
    /** Firefox executable the cross-browser tests launch (empty when skipped). */
    e2eFirefoxPath: string;
  }
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEFAULT_CHROMIUM = "/usr/bin/chromium";
const DEFAULT_FIREFOX = "/usr/bin/firefox-esr";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const chromiumPath = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  const firefoxPath = process.env.FIREFOX_PATH || DEFAULT_FIREFOX;
  const firefoxMissing = !isExecutable(firefoxPath);
  // A CI run that skips the only tests with real browsers would report green while proving nothing.
  if (process.env.CI && firefoxMissing)
    throw new Error(
      `E2E tests cannot run in CI: no Firefox at ${firefoxPath}. Install Debian's firefox-esr or set FIREFOX_PATH.`,
    );
  if (firefoxMissing)
    warnSkipped(
      "FIREFOX E2E TESTS SKIPPED",
      `no Firefox at ${firefoxPath}`,
      FIREFOX_FIX,
      "Nothing was tested in Firefox.",
    );
  project.provide("e2eFirefoxSkip", firefoxMissing);
  project.provide("e2eFirefoxPath", firefoxMissing ? "" : firefoxPath);

  if (!isExecutable(chromiumPath)) {
    const why = `no Chromium at ${chromiumPath}`;
    if (process.env.CI)
      throw new Error(`E2E tests cannot run in CI: ${why}. Install Debian's chromium or set CHROMIUM_PATH.`);
    warnSkipped("E2E TESTS SKIPPED", why, CHROMIUM_FIX, "Nothing about real calls was tested.");
    project.provide("e2eSkip", true);
    project.provide("e2eBaseUrl", "");
    project.provide("e2eChromiumPath", "");
    return async () => {};
  }

  if (!existsSync(join(ROOT, "dist", "index.html"))) {
    throw new Error(
      "E2E tests need the built frontend but dist/index.html does not exist. Run `npx vite build` first " +
        "(`npm test` does this before vitest).",
    );
  }

  const server = await startWrangler();
  project.provide("e2eSkip", false);
  project.provide("e2eBaseUrl", server.baseUrl);
  project.provide("e2eChromiumPath", chromiumPath);
  return () => server.stop();
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const CHROMIUM_FIX = [INSTALL_HINT, "or set CHROMIUM_PATH to a Chromium/Chrome executable."];
const FIREFOX_FIX = [
  INSTALL_HINT,
  "or set FIREFOX_PATH to a Firefox executable. The Firefox tests (firefox.test.ts) are skipped.",
];

function warnSkipped(title: string, why: string, fix: string[], consequence: string): void {
  const bar = "!".repeat(78);
  console.warn(
    ["", bar, `!!  ${title}: ${why}`, ...fix.map((line) => `!!  ${line}`), `!!  ${consequence}`, bar, ""].join("\n"),
  );
}
