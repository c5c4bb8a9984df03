/**
 * A real `wrangler dev` on a free port, for the e2e tests (the shared one of global-setup.ts, and
 * extra ones with their own variables: a TURN server, a relay-only policy) and for the bench
 * (natter with and without flood control, and the bench-only floor Worker). Each runs in its own
 * process group with a fresh store, so nothing an earlier run left (rooms, locks) leaks in.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("../", import.meta.url));
const READY_TIMEOUT_MS = 90_000;
const OUTPUT_LINES_KEPT = 200;
const START_ATTEMPTS = 3;

export interface WranglerOptions {
  /** Shown in failures. */
  name?: string;
  /** Where node_modules/.bin/wrangler and wrangler.toml live; the bench, bundled elsewhere, passes its own. */
  root?: string;
  /** A wrangler.toml other than the root one. */
  config?: string;
  /** Serve static assets from here instead of the config's directory. */
  assets?: string;
  /** A GET on this path answers 200 once the Worker is up. */
  healthPath?: string;
  /** Worker variables, as `--var NAME:VALUE` (they override wrangler.toml's [vars]). */
  vars?: Record<string, string>;
  /** Defaults to a free one. Restarting on the same port keeps the pages' URLs working. */
  port?: number;
  /** Durable Object storage; defaults to a fresh directory that `stop()` deletes. */
  persistTo?: string;
  /**
   * wrangler's `--log-level`; "warn" by default. "info" prints a line per request (method, path,
   * status), as an operator running `wrangler dev` sees it: what test/e2e/room-name-privacy reads.
   * "log" adds everything the Worker and the Room print with console.log (info only shows
   * console.warn/error): what Workers observability would keep, and what test/e2e/log-privacy reads.
   */
  logLevel?: "warn" | "info" | "log" | "debug";
  /** How many of wrangler's last output lines `output()` keeps (default 200). */
  outputLinesKept?: number;
}

export interface WranglerServer {
  readonly name: string;
  /** Origin, e.g. http://127.0.0.1:41234. */
  readonly baseUrl: string;
  readonly port: number;
  readonly persistTo: string;
  /** The process group of wrangler and everything it started. */
  readonly group: number | null;
  /** The last lines wrangler printed, for failure messages. */
  output(): string;
  /** CPU seconds used so far by wrangler and the workerd it runs (null where /proc cannot tell). */
  cpuSeconds(): number | null;
  /** Stops wrangler (and workerd); with `keepStorage`, the storage directory survives for a restart. */
  stop(options?: { keepStorage?: boolean }): Promise<void>;
}

/** Every instance still running, so that a crash or Ctrl-C cannot leave workerd behind. */
const running = new Set<ChildProcess>();

/** Synchronous, for `process.on("exit")`: kills every wrangler this process started. */
export function killEverythingStarted(): void {
  for (const child of running) killGroup(child, "SIGKILL");
  running.clear();
}
process.once("exit", killEverythingStarted);

/** Asks the OS for an unused port. Someone else may take it before wrangler binds it: see startWrangler. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = address && typeof address === "object" ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not read the port of a listening socket"))));
    });
  });
}

/**
 * Other test runs on the machine also pick free ports and start wrangler: if one of them takes our
 * port first, our wrangler exits with "Address already in use" while theirs answers our health
 * check. So an instance counts as started only if the listening socket is its own, and a start that
 * lost its port is tried again on another (unless the caller asked for that port).
 */
export async function startWrangler(options: WranglerOptions = {}): Promise<WranglerServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (!(error instanceof PortLost) || options.port !== undefined || attempt >= START_ATTEMPTS) throw error;
    }
  }
}

class PortLost extends Error {}

async function startOnce(options: WranglerOptions): Promise<WranglerServer> {
  const name = options.name ?? "natter";
  const root = options.root ?? PROJECT_ROOT;
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "natter-wrangler-"));
  // 127.0.0.1 rather than localhost: both are secure contexts for getUserMedia, but localhost may resolve to ::1 first.
  const baseUrl = `http://127.0.0.1:${port}`;

  const lines: string[] = [];
  const kept = options.outputLinesKept ?? OUTPUT_LINES_KEPT;
  // A chunk may end mid-line: the unfinished line waits for the next chunk of its own stream, so
  // that no line (and nothing a test searches the output for) is ever cut in two.
  const partials = { stdout: "", stderr: "" };
  const capture = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
    const parts = (partials[stream] + chunk.toString("utf8")).split("\n");
    partials[stream] = parts.pop() ?? "";
    lines.push(...parts.filter(Boolean));
    if (lines.length > kept) lines.splice(0, lines.length - kept);
  };
  const output = () => {
    const all = [...lines, partials.stdout, partials.stderr].filter(Boolean);
    return all.length > 0 ? all.join("\n") : "(wrangler printed nothing)";
  };

  const flag = (name: string, value: string | undefined) => (value === undefined ? [] : [name, value]);
  const vars = Object.entries(options.vars ?? {}).flatMap(([key, value]) => ["--var", `${key}:${value}`]);
  const child = spawn(
    join(root, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      ...flag("--config", options.config),
      ...flag("--assets", options.assets),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      persistTo,
      "--log-level",
      options.logLevel ?? "warn",
      "--show-interactive-dev-session=false",
      ...vars,
    ],
    {
      cwd: root,
      // CI=1 makes wrangler non-interactive (no prompts, no hotkeys) even when run in a terminal.
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
      // Its own process group: wrangler spawns workerd (and esbuild), and killing only the parent would orphan them.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  running.add(child);
  child.stdout?.on("data", capture("stdout"));
  child.stderr?.on("data", capture("stderr"));

  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
  });

  let stopped = false;
  const stop = async ({ keepStorage = false } = {}) => {
    if (stopped) return;
    stopped = true;
    running.delete(child);
    if (!exited) {
      killGroup(child, "SIGTERM");
      const graceful = await Promise.race([exitedPromise.then(() => true), delay(5_000).then(() => false)]);
      if (!graceful) killGroup(child, "SIGKILL");
    }
    // workerd may still be flushing its SQLite files for a moment after the group is signalled.
    if (!keepStorage) rmSync(persistTo, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  try {
    await waitForHealth(`${baseUrl}${options.healthPath ?? "/api/health"}`, () => exited);
    const ours = child.pid === undefined ? null : listenerIsOurs(port, child.pid);
    if (ours === null) await delay(2_000);
    if (ours === false || exited) throw new PortLost(`${baseUrl} answered, but not from our wrangler dev (${name})`);
  } catch (error) {
    await stop();
    if (error instanceof PortLost) throw error;
    throw new Error(`${(error as Error).message}\n--- wrangler dev (${name}) output, last lines ---\n${output()}`);
  }
  const group = child.pid ?? null;
  return {
    name,
    baseUrl,
    port,
    persistTo,
    group,
    output,
    cpuSeconds: () => (group === null ? null : groupCpuSeconds(group)),
    stop,
  };
}

async function waitForHealth(url: string, hasExited: () => boolean): Promise<void> {
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

/** Linux /proc: the numbered process directories. */
function processIds(): string[] {
  return readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
}

/** The fields of /proc/<pid>/stat after the ")" that ends the name: state, ppid, pgrp, …. */
function statFields(pid: string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/**
 * Whether the socket listening on 127.0.0.1:`port` belongs to a process in group `group` (Linux
 * /proc); null where that cannot be told, and the caller falls back to "still alive after a while".
 */
function listenerIsOurs(port: number, group: number): boolean | null {
  try {
    const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
    const inodes = new Set<string>();
    for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // fields: sl, local address, remote address, state (0A = LISTEN), …, inode at 9.
      if (fields[1] === local && fields[3] === "0A" && fields[9]) inodes.add(`socket:[${fields[9]}]`);
    }
    if (inodes.size === 0) return false;
    for (const pid of processIds()) {
      try {
        if (Number(statFields(pid)[2]) !== group) continue;
        for (const fd of readdirSync(`/proc/${pid}/fd`)) {
          if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
        }
      } catch {
        // The process ended while we looked, or is not ours to inspect.
      }
    }
    return false;
  } catch {
    return null;
  }
}

/** Kernel clock ticks per second in /proc/<pid>/stat; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of every process in a process group, from /proc (Linux only). */
function groupCpuSeconds(group: number): number | null {
  try {
    let ticks = 0;
    for (const pid of processIds()) {
      try {
        const fields = statFields(pid);
        // utime and stime are the 12th and 13th fields after the name.
        if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // Gone while we looked.
      }
    }
    return ticks / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
