/**
 * A real `wrangler dev` (the built SPA + Worker + Room Durable Object) on a free port, for e2e
 * tests: the shared one of global-setup.ts, and extra ones with their own variables (a TURN
 * server, a relay-only policy) that a single test file needs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const OUTPUT_LINES_KEPT = 200;

export interface WranglerOptions {
  /** Worker variables, as `--var NAME:VALUE` (they override wrangler.toml's [vars]). */
  vars?: Record<string, string>;
  /** Defaults to a free one. Restarting on the same port keeps the pages' URLs working. */
  port?: number;
  /** Durable Object storage; defaults to a fresh directory that `stop()` deletes. */
  persistTo?: string;
}

export interface WranglerServer {
  /** Origin, e.g. http://127.0.0.1:41234. */
  readonly baseUrl: string;
  readonly port: number;
  readonly persistTo: string;
  /** The last lines wrangler printed, for failure messages. */
  output(): string;
  /** Stops wrangler (and workerd); with `keepStorage`, the storage directory survives for a restart. */
  stop(options?: { keepStorage?: boolean }): Promise<void>;
}

/** Asks the OS for an unused port. Another process could grab it before it is bound, but on a test box that race is rare enough. */
export async function freePort(): Promise<number> {
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

export async function startWrangler(options: WranglerOptions = {}): Promise<WranglerServer> {
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  // A fresh store per run, so rooms (and locks) left by an earlier run cannot leak into this one.
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "natter-e2e-"));
  // 127.0.0.1 rather than localhost: both are secure contexts for getUserMedia, but localhost may resolve to ::1 first.
  const baseUrl = `http://127.0.0.1:${port}`;

  const lines: string[] = [];
  const capture = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > OUTPUT_LINES_KEPT) lines.splice(0, lines.length - OUTPUT_LINES_KEPT);
  };
  const output = () => (lines.length > 0 ? lines.join("\n") : "(wrangler printed nothing)");

  const vars = Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
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
      ...vars,
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
  const stop = async ({ keepStorage = false } = {}) => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", killOnExit);
    if (!exited) {
      killGroup(child, "SIGTERM");
      const graceful = await Promise.race([exitedPromise.then(() => true), delay(5_000).then(() => false)]);
      if (!graceful) killGroup(child, "SIGKILL");
    }
    // workerd may still be flushing its SQLite files for a moment after the group is signalled.
    if (!keepStorage) rmSync(persistTo, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  try {
    await waitForHealth(baseUrl, () => exited);
  } catch (error) {
    await stop();
    throw new Error(
      `${(error as Error).message}\n--- wrangler dev output (last ${OUTPUT_LINES_KEPT} lines) ---\n${output()}`,
    );
  }
  return { baseUrl, port, persistTo, output, stop };
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
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

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
