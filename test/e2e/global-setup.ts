/**
 * Starts one real `wrangler dev` (the built SPA + Worker + Room Durable Object) for the whole e2e run
 * and tells the test files where it is and which Chromium to drive.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

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
const READY_TIMEOUT_MS = 60_000;
const OUTPUT_LINES_KEPT = 200;

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
  return server.stop;
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

/** Asks the OS for an unused port. Another process could grab it before wrangler binds it, but on a test box that race is rare enough. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port of a listening socket"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

async function startWrangler(): Promise<{ baseUrl: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const inspectorPort = await freePort();
  // A fresh store per run, so rooms (and locks) left by an earlier run cannot leak into this one.
  const persistTo = mkdtempSync(join(tmpdir(), "natter-e2e-"));
  // 127.0.0.1 rather than localhost: both are secure contexts for getUserMedia, but localhost may resolve to ::1 first.
  const baseUrl = `http://127.0.0.1:${port}`;

  const output: string[] = [];
  const capture = (chunk: Buffer) => {
    output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (output.length > OUTPUT_LINES_KEPT) output.splice(0, output.length - OUTPUT_LINES_KEPT);
  };

  const child = spawn(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      persistTo,
      "--log-level",
      "warn",
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: ROOT,
      // CI=1 makes wrangler non-interactive (no prompts, no hotkeys) even when vitest runs in a terminal.
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
      // Its own process group: wrangler spawns workerd (and esbuild), and killing only the parent would orphan them.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", capture);
  child.stderr?.on("data", capture);

  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
  });
  // If vitest itself dies (Ctrl-C, crash) teardown never runs; this synchronous last resort still frees the ports.
  const killOnExit = () => killGroup(child, "SIGKILL");
  process.once("exit", killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", killOnExit);
    if (!exited) {
      killGroup(child, "SIGTERM");
      const graceful = await Promise.race([exitedPromise.then(() => true), delay(5_000).then(() => false)]);
      if (!graceful) killGroup(child, "SIGKILL");
    }
    // workerd may still be flushing its SQLite files for a moment after the group is signalled.
    rmSync(persistTo, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  try {
    await waitForHealth(baseUrl, () => exited);
  } catch (error) {
    await stop();
    const detail = output.length > 0 ? output.join("\n") : "(wrangler printed nothing)";
    throw new Error(
      `${(error as Error).message}\n--- wrangler dev output (last ${OUTPUT_LINES_KEPT} lines) ---\n${detail}`,
    );
  }
  return { baseUrl, stop };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function waitForHealth(baseUrl: string, hasExited: () => boolean): Promise<void> {
  const url = `${baseUrl}/api/health`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`wrangler dev exited before ${url} answered (last: ${last})`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(250);
  }
  throw new Error(`wrangler dev did not answer 200 on ${url} within ${READY_TIMEOUT_MS / 1000} s (last: ${last})`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
