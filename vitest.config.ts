import { defineConfig } from "vitest/config";

// One `vitest run` covers every layer; each project picks its own runtime. Vitest runs the unit
// layers (workers, frontend, tooling) together first, then the one-file-at-a-time layers (e2e,
// sfu-standin, workers-sfu). The unit layers each say `maxWorkers: 2`, and must say the same
// number: vitest's default leaves a core free, which on a 2-core CI machine meant one file at a
// time (181 s for the unit layers; 131 s on both cores).
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
