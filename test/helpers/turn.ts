/**
 * A real TURN server for e2e tests: Debian's coturn (`turnserver`) on 127.0.0.1 with a random
 * TURN REST shared secret, exactly as production would run it (`use-auth-secret`), only on
 * loopback, where it must be told to relay between loopback peers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { delay, freePort, killGroup } from "../../tooling/wrangler";

export const TURNSERVER = process.env.TURNSERVER_PATH || "/usr/bin/turnserver";
const READY_TIMEOUT_MS = 20_000;
const OUTPUT_LINES_KEPT = 200;

export interface TurnServer {
  readonly port: number;
  readonly secret: string;
  readonly realm: string;
  /** For the app's TURN_URLS. */
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
  /** Stops it (every allocation is gone) and starts it again on the same port with the same secret. */
  restart(): Promise<void>;
}

export function hasTurnServer(): boolean {
  try {
    accessSync(TURNSERVER, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startTurnServer(): Promise<TurnServer> {
  const port = await freePort();
  const secret = randomBytes(24).toString("hex");
  const realm = "natter.test";
  // Relay ports from a random 200-port block, so two runs (or two engineers) rarely collide.
  const minPort = 50_000 + Math.floor(Math.random() * 50) * 200;
  // Its own (unused) user database, rather than the system-wide /var/lib/turn one.
  const dir = mkdtempSync(join(tmpdir(), "natter-turn-"));
  const lines: string[] = [];
  const output = () => (lines.length > 0 ? lines.join("\n") : "(turnserver printed nothing)");
  let child: ChildProcess | null = null;

  const launch = async () => {
    const proc = spawn(
      TURNSERVER,
      [
        "-n", // no configuration file: everything is on this command line
        `--userdb=${join(dir, "turndb")}`,
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        `--listening-port=${port}`,
        `--min-port=${minPort}`,
        `--max-port=${minPort + 199}`,
        "--use-auth-secret",
        `--static-auth-secret=${secret}`,
        `--realm=${realm}`,
        // Both browsers are on this machine, so every relayed address is a loopback one.
        "--allow-loopback-peers",
        "--no-multicast-peers",
        "--no-cli",
        "--no-tls",
        "--no-dtls",
        "--no-tcp",
        "--log-file=stdout",
        "--simple-log",
      ],
      { detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    const capture = (chunk: Buffer) => {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      if (lines.length > OUTPUT_LINES_KEPT) lines.splice(0, lines.length - OUTPUT_LINES_KEPT);
    };
    proc.stdout?.on("data", capture);
    proc.stderr?.on("data", capture);
    let exited = false;
    proc.once("exit", () => {
      exited = true;
    });
    child = proc;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`turnserver exited at start:\n${output()}`);
      if (await answersStun(port)) return;
      await delay(200);
    }
    await halt();
    throw new Error(
      `turnserver did not answer STUN on 127.0.0.1:${port} within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`,
    );
  };

  const halt = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    killGroup(proc, "SIGKILL");
    await Promise.race([exited, delay(5_000)]);
  };

  const killOnExit = () => {
    if (child) killGroup(child, "SIGKILL");
  };
  process.once("exit", killOnExit);
  await launch();

  return {
    port,
    secret,
    realm,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    output,
    stop: async () => {
      process.removeListener("exit", killOnExit);
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await halt();
      await launch();
    },
  };
}

/** Sends a STUN Binding Request (RFC 5389) and waits briefly for any answer. */
async function answersStun(port: number): Promise<boolean> {
  const request = Buffer.alloc(20);
  request.writeUInt16BE(0x0001, 0); // Binding Request
  request.writeUInt16BE(0, 2); // no attributes
  request.writeUInt32BE(0x2112a442, 4); // magic cookie
  randomBytes(12).copy(request, 8);
  const socket = createSocket("udp4");
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 500);
      socket.once("message", () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.once("error", () => {
        clearTimeout(timer);
        resolve(false);
      });
      socket.send(request, port, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}
