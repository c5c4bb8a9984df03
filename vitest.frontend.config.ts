import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [preact()],
  test: {
    name: "frontend",
    // Both cores: see vitest.config.ts.
    maxWorkers: 2,
    environment: "happy-dom",
    // Each file still gets its own modules (a VM context per file), but happy-dom is built once per
    // worker instead of once per file: that build was 44 % of this project's time (59 files;
    // 125 -> 49 CPU seconds for the project on the 2-core machine).
    pool: "vmThreads",
    include: ["test/frontend/**/*.test.{ts,tsx}"],
    setupFiles: ["test/frontend/setup.ts"],
  },
});
