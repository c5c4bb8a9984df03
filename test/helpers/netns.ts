/**
 * A bad network for real browsers, built from Linux network namespaces (see
 * the team's impaired-network recipe, ../shared/recipes/): the server and two people (a, c) on one bridge, a
 * third (b) behind a user-space relay (netem-relay.py) that adds delay, jitter, loss or a total
 * outage, and a tbf rate cap on b's uplink. Everything lives in namespaces this module
 * creates, named after the creating process, and none has a default route: no packet can leave.
 * Needs root; `netnsProblem()` says why it cannot run.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { delay, killGroup } from "../../tooling/wrangler";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RELAY = fileURLToPath(new URL("./netem-relay.py", import.meta.url));
/** Every namespace of ours starts with this, then the pid of the process that made it. */
const PREFIX = "natterimp-";
export const SERVER_IP = "10.77.0.1";
export const SERVER_PORT = 8787;
/** Where each namespace sits on the bridge. */
export const ADDRESSES = { srv: SERVER_IP, a: "10.77.0.2", b: "10.77.0.3", c: "10.77.0.4" } as const;
/** The relay stops by itself after this long, should the test runner die without stopping it. */
const RELAY_MAX_SECONDS = 30 * 60;
const READY_TIMEOUT_MS = 90_000;

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Null when namespaces can be made here, else why not (not root, no `ip`, a locked-down container). */
export function netnsProblem(): string | null {
  const probe = `${PREFIX}${process.pid}-probe`;
  try {
    run("ip", ["netns", "add", probe]);
    run("ip", ["netns", "del", probe]);
    return null;
  } catch (error) {
    return `\`ip netns add\` is not permitted here (${((error as Error).message.split("\n")[0] ?? "").trim()})`;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills what still runs inside a namespace of ours (only ours: named after our prefix), then deletes it. */
function deleteNamespace(name: string): void {
  try {
    const pids = run("ip", ["netns", "pids", name]).split(/\s+/).filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  } catch {
    // No such namespace any more.
  }
  try {
    run("ip", ["netns", "del", name]);
  } catch {
    // Already deleted.
  }
}

/** Namespaces an earlier run left behind (it crashed, or was killed) whose process is gone. */
export function deleteStaleNamespaces(): string[] {
  const names = run("ip", ["netns", "list"])
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(PREFIX));
  const stale = names.filter((name) => {
    const pid = Number(name.slice(PREFIX.length).split("-")[0]);
    return !Number.isInteger(pid) || pid === process.pid || !isAlive(pid);
  });
  for (const name of stale) deleteNamespace(name);
  return stale;
}

export interface LinkConditions {
  delayMs: number;
  jitterMs: number;
  lossPercent: number;
}

export interface ImpairedNetwork {
  /** The namespaces the people's browsers run in: `a` and `c` on clean links, `b` behind the relay. */
  readonly ns: { srv: string; a: string; b: string; c: string; hub: string };
  /** Delay (each way), jitter and loss on b's link. */
  setLink(conditions: LinkConditions): Promise<void>;
  /** Drops every frame to and from b while on. */
  setOutage(on: boolean): Promise<void>;
  /** A rate cap on b's uplink (kbit/s), or none. */
  capUplink(kbit: number | null): void;
  /** An executable that runs Chromium inside `ns` (Playwright's pipe survives `ip netns exec`). */
  chromiumIn(ns: string, chromium: string): string;
  /** `wrangler dev` inside the server's namespace; the origin is http://10.77.0.1:8787. */
  startServer(): Promise<{ baseUrl: string; output(): string; stop(): Promise<void> }>;
  /** Stops the relay and the server, deletes every namespace. Safe to call twice. */
  destroy(): Promise<void>;
}

export async function createImpairedNetwork(): Promise<ImpairedNetwork> {
  const tag = `${PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const ns = { srv: `${tag}-srv`, a: `${tag}-a`, b: `${tag}-b`, c: `${tag}-c`, hub: `${tag}-hub` };
  const scratch = mkdtempSync(join(tmpdir(), "natter-netns-"));
  const children: ChildProcess[] = [];
  let destroyed = false;

  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    for (const child of children) {
      child.stdin?.end();
      killGroup(child, "SIGKILL");
    }
    for (const name of Object.values(ns)) deleteNamespace(name);
    rmSync(scratch, { recursive: true, force: true });
  };

  try {
    for (const name of Object.values(ns)) run("ip", ["netns", "add", name]);
    const inHub = (...args: string[]) => run("ip", ["-n", ns.hub, ...args]);
    inHub("link", "add", "br0", "type", "bridge");
    // Each end is made inside the hub and its peer moved straight into its namespace: nothing
    // ever appears in the machine's own namespace.
    inHub("link", "add", "vsrv", "type", "veth", "peer", "name", "eth0", "netns", ns.srv);
    inHub("link", "add", "va", "type", "veth", "peer", "name", "eth0", "netns", ns.a);
    inHub("link", "add", "vc", "type", "veth", "peer", "name", "eth0", "netns", ns.c);
    inHub("link", "add", "rb", "type", "veth", "peer", "name", "eth0", "netns", ns.b);
    inHub("link", "add", "rh", "type", "veth", "peer", "name", "vb");
    for (const port of ["vsrv", "va", "vb", "vc"]) inHub("link", "set", port, "master", "br0");
    for (const dev of ["lo", "br0", "vsrv", "va", "vb", "vc", "rb", "rh"]) inHub("link", "set", dev, "up");
    for (const role of ["srv", "a", "b", "c"] as const) {
      run("ip", ["-n", ns[role], "addr", "add", `${ADDRESSES[role]}/24`, "dev", "eth0"]);
      run("ip", ["-n", ns[role], "link", "set", "lo", "up"]);
      run("ip", ["-n", ns[role], "link", "set", "eth0", "up"]);
      run("ip", ["netns", "exec", ns[role], "python3", RELAY, "offload-off", "eth0"]);
    }
    run("ip", ["netns", "exec", ns.hub, "python3", RELAY, "offload-off", "vsrv", "va", "vb", "vc", "rb", "rh"]);
  } catch (error) {
    await destroy();
    throw error;
  }

  // The relay: higher priority on a busy machine, bounded in time, told what to do on stdin.
  const relay = spawn(
    "ip",
    [
      "netns",
      "exec",
      ns.hub,
      "nice",
      "-n",
      "-5",
      "python3",
      "-u",
      RELAY,
      "forward",
      "rb",
      "rh",
      String(RELAY_MAX_SECONDS),
    ],
    { detached: true, stdio: ["pipe", "pipe", "pipe"] },
  );
  children.push(relay);
  const relayOutput: string[] = [];
  relay.stderr?.on("data", (chunk: Buffer) => relayOutput.push(chunk.toString()));
  const acks: (() => void)[] = [];
  relay.stdout?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim() === "ok") acks.shift()?.();
  });
  const command = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`relay did not answer "${line}": ${relayOutput.join("")}`)),
        10_000,
      );
      acks.push(() => {
        clearTimeout(timer);
        resolve();
      });
      if (line) relay.stdin?.write(`${line}\n`);
    });
  try {
    await command(""); // the "ok" it prints once both sockets are open
  } catch (error) {
    await destroy();
    throw error;
  }

  return {
    ns,
    setLink: ({ delayMs, jitterMs, lossPercent }) => command(`set ${delayMs} ${jitterMs} ${lossPercent}`),
    setOutage: (on) => command(`outage ${on ? "on" : "off"}`),
    capUplink(kbit) {
      if (kbit === null) {
        try {
          run("ip", ["netns", "exec", ns.hub, "tc", "qdisc", "del", "dev", "rh", "root"]);
        } catch {
          // There was no cap.
        }
        return;
      }
      // A router's queue: ~200 ms of it at this rate, then drops.
      run("ip", [
        "netns",
        "exec",
        ns.hub,
        "tc",
        "qdisc",
        "replace",
        "dev",
        "rh",
        "root",
        "tbf",
        "rate",
        `${kbit}kbit`,
        "burst",
        "10kb",
        "latency",
        "200ms",
      ]);
    },
    chromiumIn(namespace, chromium) {
      const path = join(scratch, `chromium-${namespace}`);
      writeFileSync(path, `#!/bin/sh\nexec ip netns exec '${namespace}' '${chromium}' "$@"\n`);
      chmodSync(path, 0o755);
      return path;
    },
    startServer: () => startServerIn(ns.srv, scratch, children),
    destroy,
  };
}

async function startServerIn(
  namespace: string,
  scratch: string,
  children: ChildProcess[],
): Promise<{ baseUrl: string; output(): string; stop(): Promise<void> }> {
  const baseUrl = `http://${SERVER_IP}:${SERVER_PORT}`;
  const lines: string[] = [];
  const capture = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  const child = spawn(
    "ip",
    [
      "netns",
      "exec",
      namespace,
      join(PROJECT_ROOT, "node_modules", ".bin", "wrangler"),
      "dev",
      "--ip",
      SERVER_IP,
      "--port",
      String(SERVER_PORT),
      "--inspector-port",
      "9229",
      "--persist-to",
      join(scratch, "wrangler-state"),
      "--log-level",
      "warn",
      "--show-interactive-dev-session=false",
      // No STUN server to reach: host candidates on the bridge are all there is.
      "--var",
      "STUN_URLS:",
    ],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        CI: "1",
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        NO_COLOR: "1",
        FORCE_COLOR: "0",
      },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  child.stdout?.on("data", capture);
  child.stderr?.on("data", capture);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const output = () => lines.join("\n") || "(wrangler printed nothing)";
  const stop = async () => {
    killGroup(child, "SIGTERM");
    for (let i = 0; i < 20 && !exited; i++) await delay(250);
    if (!exited) killGroup(child, "SIGKILL");
  };

  // The test runner is outside the namespace and cannot reach 10.77.0.1: ask from inside it.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`wrangler dev exited in ${namespace}:\n${output()}`);
    try {
      const status = run("ip", [
        "netns",
        "exec",
        namespace,
        "python3",
        "-c",
        "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).status)",
        `${baseUrl}/api/health`,
      ]);
      if (status.trim() === "200") return { baseUrl, output, stop };
    } catch {
      // Not listening yet.
    }
    await delay(500);
  }
  await stop();
  throw new Error(`wrangler dev in ${namespace} did not answer within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}
