import type { RealtimeEnv } from "../../durable-objects/realtime-api";

declare global {
  namespace Cloudflare {
    interface Env extends RealtimeEnv {
      /** Test-only binding of the workers-sfu project: the werift peers (test/helpers/sfu-peers.ts). */
      SFU_TEST_PEERS?: string;
    }
  }
}
