import { defineConfig } from "vitest/config";

// One `vitest run` covers every layer; each project picks its own runtime.
export default defineConfig({
  test: {
    projects: [
      "./vitest.workers.config.ts",
      "./vitest.workers-sfu.config.ts",
      "./vitest.frontend.config.ts",
      "./vitest.sfu-standin.config.ts",
      "./vitest.tooling.config.ts",
      "./vitest.e2e.config.ts",
    ],
  },
});
