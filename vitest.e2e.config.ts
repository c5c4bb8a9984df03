import { defineConfig } from "vitest/config";

// Real `wrangler dev` and real Chromium: slow, so one file at a time on a 2-core machine.
export default defineConfig({
  test: {
    name: "e2e",
    environment: "node",
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
