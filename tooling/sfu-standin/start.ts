/**
 * Starts the SFU stand-in in this Node process on a free loopback port, for tests and local
 * development (the way test/helpers/turn.ts starts coturn), and stops it cleanly: every peer
 * connection closed, the port released. Never bundled into the Worker or the browser.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { StandinServer } from "./server";

export interface SfuStandin {
  /** API base, the stand-in's `https://rtc.live.cloudflare.com/v1`, e.g. http://127.0.0.1:41234/v1. */
  readonly apiBase: string;
  readonly port: number;
  readonly appId: string;
  readonly appSecret: string;
  /** The server itself, for tests that look inside (e.g. packets forwarded). */
  readonly server: StandinServer;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** 0 (default): any free port. */
  port?: number;
  appId?: string;
  appSecret?: string;
  /** How long a published track may go without media before it is dropped; Cloudflare's is 30 s. */
  trackTimeoutMs?: number;
  /** The rate limiter's clock (default performance.now); tests pass a stopped one. */
  now?: () => number;
}

export async function startSfuStandin(options: StartOptions = {}): Promise<SfuStandin> {
  const appId = options.appId ?? randomBytes(16).toString("hex");
  const appSecret = options.appSecret ?? randomBytes(32).toString("hex");
  const server = new StandinServer({
    appId,
    appSecret,
    ...(options.trackTimeoutMs !== undefined && { trackTimeoutMs: options.trackTimeoutMs }),
    ...(options.now && { now: options.now }),
  });
  await new Promise<void>((resolve, reject) => {
    server.http.once("error", reject);
    server.http.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.http.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}/v1`,
    port,
    appId,
    appSecret,
    server,
    stop: () => server.close(),
  };
}
