/**
 * Starts one real `wrangler dev` (the built SPA + Worker + Room Durable Object) for the whole e2e run
 * and tells the test files where it is and which Chromium to drive.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { startWrangler } from "../helpers/wrangler";

declare module "vitest" {
  interface ProvidedContext {
    /** True when there is no Chromium on a developer machine: every e2e test is skipped, loudly. */
    e2eSkip: boolean;
    /** Origin of the `wrangler dev` under test, e.g. http://127.0.0.1:41234 (empty when skipped). */
    e2eBaseUrl: string;
    /** Chromium executable the tests launch (empty when skipped). */
    e2eChromiumPath: string;
  }
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEFAULT_CHROMIUM = "/usr/bin/chromium";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const chromiumPath = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (!isExecutable(chromiumPath)) {
    const why = `no Chromium at ${chromiumPath}`;
    // A CI run that skips the only tests with real browsers would report green while proving nothing.
    if (process.env.CI)
      throw new Error(`E2E tests cannot run in CI: ${why}. Install Debian's chromium or set CHROMIUM_PATH.`);
    warnSkipped(why);
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

function warnSkipped(why: string): void {
  const bar = "!".repeat(78);
  console.warn(
    [
      "",
      bar,
      `!!  E2E TESTS SKIPPED: ${why}`,
      "!!  Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH",
      "!!  to a Chromium/Chrome executable. Nothing about real calls was tested.",
      bar,
      "",
    ].join("\n"),
  );
}
