/**
 * The ICE servers a peer gets when it is admitted. They come from the room, not from an
 * open endpoint, so that TURN credentials (which cost money to relay through) are only
 * handed to people who are actually in a call.
 */
import type { IceConfig, IceServer } from "../common/protocol";

export const DEFAULT_STUN_URLS = ["stun:stun.cloudflare.com:3478"];
export const DEFAULT_TURN_TTL_SECONDS = 3600;

/** The subset of the Worker's environment this module reads. */
export interface IceEnv {
  /** Comma-separated STUN URLs; empty means none. Defaults to Cloudflare's public STUN server. */
  STUN_URLS?: string;
  /** Comma-separated TURN URLs for a TURN REST (coturn `static-auth-secret`) server. */
  TURN_URLS?: string;
  /** The shared secret of that server (a secret: `wrangler secret put TURN_SECRET`). */
  TURN_SECRET?: string;
  /** Lifetime of generated TURN credentials in seconds (default 3600). */
  TURN_TTL_SECONDS?: string;
  /** Cloudflare Realtime TURN key id and API token (secrets). */
  TURN_KEY_ID?: string;
  TURN_KEY_API_TOKEN?: string;
  /** "relay" forces TURN (for testing relays); anything else lets browsers pick. */
  ICE_TRANSPORT_POLICY?: string;
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function turnTtlSeconds(env: IceEnv): number {
  const ttl = Number(env.TURN_TTL_SECONDS);
  return Number.isInteger(ttl) && ttl >= 60 && ttl <= 48 * 3600 ? ttl : DEFAULT_TURN_TTL_SECONDS;
}

/**
 * How long the TURN API gets to answer. The Room asks it while admitting someone, with the
 * room's other events held (blockConcurrencyWhile), so a hung API must not hold the room until
 * the runtime resets it: past this, the newcomer gets STUN only, like any other TURN failure.
 */
export const TURN_API_TIMEOUT_MS = 3_000;

/**
 * Builds the configuration for one peer. A TURN provider that fails leaves STUN only:
 * most calls still connect, and a broken TURN setup must not keep people out of rooms.
 */
export async function iceConfigFor(
  env: IceEnv,
  now: number,
  fetcher: Fetch = fetch,
  timeoutMs = TURN_API_TIMEOUT_MS,
): Promise<IceConfig> {
  const stun = env.STUN_URLS === undefined ? DEFAULT_STUN_URLS : list(env.STUN_URLS);
  const servers: IceServer[] = stun.length ? [{ urls: stun }] : [];
  const ttl = turnTtlSeconds(env);
  let expiresAt: number | null = null;
  try {
    if (env.TURN_SECRET && list(env.TURN_URLS).length) {
      servers.push(await turnRestCredentials(env.TURN_SECRET, list(env.TURN_URLS), ttl, now));
      expiresAt = now + ttl * 1000;
    } else if (env.TURN_KEY_ID && env.TURN_KEY_API_TOKEN) {
      servers.push(...(await cloudflareTurn(env.TURN_KEY_ID, env.TURN_KEY_API_TOKEN, ttl, fetcher, timeoutMs)));
      expiresAt = now + ttl * 1000;
    }
  } catch (error) {
    console.error("TURN credentials unavailable; handing out STUN only:", (error as Error).message);
  }
  return {
    iceServers: servers,
    iceTransportPolicy: env.ICE_TRANSPORT_POLICY === "relay" ? "relay" : "all",
    expiresAt,
  };
}

/**
 * coturn's TURN REST scheme: the username is `expiry:opaque-id` and the password is
 * base64(HMAC-SHA1(secret, username)), so the TURN server can check it with no database.
 */
export async function turnRestCredentials(
  secret: string,
  urls: string[],
  ttlSeconds: number,
  now: number,
): Promise<IceServer> {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const opaque = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const username = `${expiry}:${opaque}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(username)));
  return { urls, username, credential: btoa(String.fromCharCode(...mac)) };
}

/** Cloudflare Realtime TURN: the API mints short-lived credentials for our key. */
async function cloudflareTurn(
  keyId: string,
  token: string,
  ttl: number,
  fetcher: Fetch,
  timeoutMs: number,
): Promise<IceServer[]> {
  const response = await fetcher(
    `https://rtc.live.cloudflare.com/v1/turn/keys/${encodeURIComponent(keyId)}/credentials/generate-ice-servers`,
    {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ ttl }),
      signal: AbortSignal.timeout(timeoutMs),
    },
  );
  if (!response.ok) throw new Error(`Cloudflare TURN API answered ${response.status}`);
  const body = (await response.json()) as { iceServers?: unknown };
  const raw = Array.isArray(body.iceServers) ? body.iceServers : body.iceServers ? [body.iceServers] : [];
  const servers: IceServer[] = [];
  for (const entry of raw as { urls?: unknown; username?: unknown; credential?: unknown }[]) {
    const urls = (Array.isArray(entry.urls) ? entry.urls : [entry.urls]).filter(
      (url): url is string => typeof url === "string" && !usesPort53(url),
    );
    if (urls.length === 0) continue;
    const server: IceServer = { urls };
    if (typeof entry.username === "string") server.username = entry.username;
    if (typeof entry.credential === "string") server.credential = entry.credential;
    servers.push(server);
  }
  return servers;
}

/** Browsers refuse TURN/STUN on port 53 (and it would fail anyway), so such URLs are dropped. */
export function usesPort53(url: string): boolean {
  return /^[a-z]+:(\[[^\]]+\]|[^:?]+):53(\?|$)/i.test(url);
}
