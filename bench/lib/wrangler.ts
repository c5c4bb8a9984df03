/**
 * `wrangler dev` instances for the bench: natter itself (with or without flood control) and the
 * bench-only floor Worker. Each runs in its own process group on a free port with a fresh store,
 * so nothing a previous run left (rooms, sockets, storage) can colour this run's numbers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const READY_TIMEOUT_MS = 90_000;

export interface Wrangler {
  readonly name: string;
  readonly baseUrl: string;
  /** The process group of wrangler and everything it started. */
  readonly group: number | null;
  /** CPU seconds used so far by wrangler and the workerd it runs (null where /proc cannot tell). */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

export interface WranglerOptions {
  /** Shown in failures. */
  name: string;
  /** Project root: where node_modules/.bin/wrangler lives. */
  root: string;
  /** A wrangler.toml other than the root one. */
  config?: string;
  vars?: Record<string, string>;
  /** Serve static assets from here instead of the config's directory. */
  assets?: string;
  /** A GET on this path answers 200 once the Worker is up. */
  healthPath: string;
}

/** Every instance still running, so that a crash or Ctrl-C cannot leave workerd behind. */
const running = new Set<ChildProcess>();

export function killEverythingStarted(): void {
  for (const child of running) killGroup(child, "SIGKILL");
  running.clear();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = address && typeof address === "object" ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Other people's test runs also pick free ports and start wrangler: if one of them takes our port
 * first, our wrangler exits with "Address already in use" while theirs answers our health check.
 * So an instance counts as started only if it is still alive a moment after answering, and a
 * start that lost its port is tried again on another.
 */
export async function startWrangler(options: WranglerOptions): Promise<Wrangler> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (!(error instanceof PortLost) || attempt >= 3) throw error;
    }
  }
}

class PortLost extends Error {}

async function startOnce(options: WranglerOptions): Promise<Wrangler> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const persistTo = mkdtempSync(join(tmpdir(), "natter-bench-"));
  const baseUrl = `http://127.0.0.1:${port}`;
  const vars = Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const config = options.config ? ["--config", options.config] : [];
  const assets = options.assets ? ["--assets", options.assets] : [];
  const output: string[] = [];
  const child = spawn(
    join(options.root, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      ...config,
      ...assets,
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
      cwd: options.root,
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
      // Its own process group: wrangler starts workerd and esbuild, and killing only wrangler would orphan them.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  running.add(child);
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString("utf8"));
    if (output.length > 100) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );

  const stop = async () => {
    if (!running.has(child)) return;
    running.delete(child);
    if (!exited) {
      killGroup(child, "SIGTERM");
      const graceful = await Promise.race([exit.then(() => true), delay(5_000).then(() => false)]);
      if (!graceful) killGroup(child, "SIGKILL");
    }
    rmSync(persistTo, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev (${options.name}) did not come up on ${baseUrl}:\n${output.join("")}`);
    }
    try {
      const response = await fetch(baseUrl + options.healthPath, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) {
        const ours = child.pid === undefined ? null : listenerIsOurs(port, child.pid);
        if (ours === null) await delay(2_000);
        if (ours === true || (ours === null && !exited)) break;
        await stop();
        throw new PortLost(`${baseUrl} answered, but not from our wrangler dev (${options.name})`);
      }
    } catch (error) {
      if (error instanceof PortLost) throw error;
      // Not listening yet.
    }
    await delay(250);
  }
  const group = child.pid;
  return {
    name: options.name,
    baseUrl,
    group: group ?? null,
    stop,
    cpuSeconds: () => (group ? groupCpuSeconds(group) : null),
  };
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
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      try {
        // The process group is the 5th field of /proc/<pid>/stat, counted after the ")" that ends the name.
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== group) continue;
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
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // After the ")" that ends the name: state, ppid, pgrp, …; utime and stime are the 12th and 13th.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
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

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
