import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The Worker and the Room in workerd, as in the workers project, but with SFU mode configured:
// a global set-up starts the local Realtime stand-in (Node, werift) and hands its address and
// credentials to the Worker as its REALTIME_* bindings. Without them (the workers project) the
// room stays mesh-only.
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          REALTIME_APP_ID: inject("sfuAppId"),
          REALTIME_APP_SECRET: inject("sfuAppSecret"),
          REALTIME_API_BASE: inject("sfuApiBase"),
          // Test-only: the werift peers that stand where browsers would (test/helpers/sfu-peers.ts).
          SFU_TEST_PEERS: inject("sfuPeersUrl"),
        },
      },
    })),
  ],
  test: {
    name: "workers-sfu",
    include: ["test/workers-sfu/**/*.test.ts"],
    globalSetup: ["test/helpers/sfu-workers-setup.ts"],
    // One stand-in for the project, and tests that count its requests: one file at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
