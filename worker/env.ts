import type { Room } from "../durable-objects/room";

/** Bindings and variables from wrangler.toml (and secrets), as the Worker sees them. */
export interface Env {
  ROOM: DurableObjectNamespace<Room>;
  ASSETS: Fetcher;
  /** Per-client limit on room socket requests (Cloudflare Rate Limiting binding). */
  CLIENT_LIMITER: RateLimit;
  /** Comma-separated extra origins allowed to open room WebSockets. */
  ALLOWED_ORIGINS?: string;
}
