import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The Worker and the Room Durable Object run inside workerd, configured from wrangler.toml.
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
  test: {
    name: "workers",
    // Both cores: see vitest.config.ts.
    maxWorkers: 2,
    include: ["test/workers/**/*.test.ts"],
    // Generous bounds for a loaded 2-core machine; nothing here asserts on time.
    testTimeout: 30_000,
  },
});
