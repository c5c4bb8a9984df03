import type { IceEnv } from "../durable-objects/ice-servers";
import type { Room } from "../durable-objects/room";

/** Bindings, variables (wrangler.toml [vars]) and secrets, as the Worker and the Room see them. */
export interface Env extends IceEnv {
  ROOM: DurableObjectNamespace<Room>;
  ASSETS: Fetcher;
  /** Per-client limit on room socket requests (Cloudflare Rate Limiting binding). */
  CLIENT_LIMITER: RateLimit;
  /** Comma-separated extra origins allowed to open room WebSockets. */
  ALLOWED_ORIGINS?: string;
  /** Most people in one call (default 8): a full mesh's upload grows with every peer. */
  MAX_PEERS?: string;
  /** Per-socket flood control: messages allowed at once, and refilled per second. */
  MESSAGE_BURST?: string;
  MESSAGES_PER_SECOND?: string;
  /** "1" only in the soak test's own `wrangler dev`: enables worker/soak-hooks.ts. Never set it in production. */
  SOAK_HOOKS?: string;
}
