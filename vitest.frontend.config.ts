import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [preact()],
  test: {
    name: "frontend",
    environment: "happy-dom",
    include: ["test/frontend/**/*.test.{ts,tsx}"],
    setupFiles: ["test/frontend/setup.ts"],
    // Two files at a time even on a 2-core machine, where Vitest's default (cores - 1) would run
    // every file of the project one after another; these tests never assert on time.
    maxWorkers: 2,
  },
});
