/**
 * A small client for Cloudflare Realtime's SFU HTTP API, used by the Room only: new sessions,
 * publishing and pulling tracks, renegotiation, closing tracks. Plain `fetch`, answers checked
 * against realtime-shapes.ts.
 *
 * The app secret goes in the Authorization header of requests to the configured API and
 * nowhere else: not into an error, a log line or anything a browser receives. Errors carry the
 * SFU's own `errorCode` and `errorDescription` (or what went wrong on the way), nothing of the
 * request's headers.
 */
import * as v from "valibot";
import {
  type CloseTracksRequest,
  ErrorBody,
  NewSessionResponse,
  type NewTracksRequest,
  type RenegotiateRequest,
  RenegotiateResponse,
  type SessionDescription,
  TracksResponse,
  type UpdateTracksRequest,
} from "./realtime-shapes";

export const DEFAULT_REALTIME_API_BASE = "https://rtc.live.cloudflare.com/v1";
/** The SFU answers in well under a second; a request that hangs must not hold a member's next one forever. */
export const REALTIME_TIMEOUT_MS = 10_000;

/** The subset of the Worker's environment this module reads. */
export interface RealtimeEnv {
  /** The Realtime SFU app's id (a var). */
  REALTIME_APP_ID?: string;
  /** The app's secret (a secret: `wrangler secret put REALTIME_APP_SECRET`). */
  REALTIME_APP_SECRET?: string;
  /** The API's base; only tests and local development change it (the stand-in). */
  REALTIME_API_BASE?: string;
}

export interface RealtimeConfig {
  appId: string;
  appSecret: string;
  /** e.g. https://rtc.live.cloudflare.com/v1, no trailing slash. */
  apiBase: string;
}

/**
 * The SFU settings, or null when SFU mode is unavailable: no app id or secret, or a base the
 * secret must not be sent to (anything but https, except plain http to this machine's loopback
 * for the local stand-in).
 */
export function realtimeConfig(env: RealtimeEnv): RealtimeConfig | null {
  const appId = env.REALTIME_APP_ID?.trim() ?? "";
  const appSecret = env.REALTIME_APP_SECRET ?? "";
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(appId) || appSecret === "") return null;
  const apiBase = (env.REALTIME_API_BASE?.trim() || DEFAULT_REALTIME_API_BASE).replace(/\/+$/, "");
  return isSafeBase(apiBase) ? { appId, appSecret, apiBase } : null;
}

function isSafeBase(base: string): boolean {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/** A failed SFU request: the SFU's code and description, or what went wrong on the way. */
export class RealtimeError extends Error {
  constructor(
    readonly errorCode: string,
    readonly errorDescription: string,
    readonly status: number | null,
  ) {
    super(`${errorCode}: ${errorDescription}`);
    this.name = "RealtimeError";
  }
}

export class RealtimeApi {
  constructor(
    private readonly config: RealtimeConfig,
    // Wrapped: the runtime's fetch must not be called as a method of this object.
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  async newSession(): Promise<string> {
    const answer = await this.call("POST", "sessions/new", NewSessionResponse, undefined);
    return answer.sessionId;
  }

  newTracks(sessionId: string, body: NewTracksRequest): Promise<TracksResponse> {
    return this.call("POST", `sessions/${encodeURIComponent(sessionId)}/tracks/new`, TracksResponse, body);
  }

  async renegotiate(sessionId: string, answer: SessionDescription): Promise<void> {
    const body: RenegotiateRequest = { sessionDescription: answer };
    await this.call("PUT", `sessions/${encodeURIComponent(sessionId)}/renegotiate`, RenegotiateResponse, body);
  }

  updateTracks(sessionId: string, body: UpdateTracksRequest): Promise<TracksResponse> {
    return this.call("PUT", `sessions/${encodeURIComponent(sessionId)}/tracks/update`, TracksResponse, body);
  }

  closeTracks(sessionId: string, body: CloseTracksRequest): Promise<TracksResponse> {
    return this.call("PUT", `sessions/${encodeURIComponent(sessionId)}/tracks/close`, TracksResponse, body);
  }

  private async call<T extends v.GenericSchema>(
    method: "POST" | "PUT",
    path: string,
    schema: T,
    body: unknown,
  ): Promise<v.InferOutput<T>> {
    const { apiBase, appId, appSecret } = this.config;
    let response: Response;
    try {
      response = await this.fetcher(`${apiBase}/apps/${encodeURIComponent(appId)}/${path}`, {
        method,
        headers: { Authorization: `Bearer ${appSecret}`, "Content-Type": "application/json" },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REALTIME_TIMEOUT_MS),
      });
    } catch (error) {
      // Only the error's kind: a runtime's message could quote the request.
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      throw new RealtimeError(
        timedOut ? "timeout" : "unreachable",
        timedOut ? "the SFU did not answer in time" : "the SFU could not be reached",
        null,
      );
    }
    const json: unknown = await response.json().catch(() => null);
    const failure = v.safeParse(ErrorBody, json);
    if (!response.ok || failure.success) {
      if (failure.success) {
        const { errorCode, errorDescription = "" } = failure.output;
        throw new RealtimeError(errorCode, errorDescription, response.status);
      }
      throw new RealtimeError("http-error", `the SFU answered HTTP ${response.status}`, response.status);
    }
    const parsed = v.safeParse(schema, json);
    if (!parsed.success)
      throw new RealtimeError("bad-answer", "the SFU's answer did not have the documented shape", response.status);
    return parsed.output;
  }
}
