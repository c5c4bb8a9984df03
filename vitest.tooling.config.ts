import { defineConfig } from "vitest/config";

// Node-side code of the tooling and the bench that can be checked on its own: no browser, no workerd.
export default defineConfig({
  test: {
    name: "tooling",
    // Both cores: see vitest.config.ts.
    maxWorkers: 2,
    environment: "node",
    include: ["test/tooling/**/*.test.ts"],
  },
});
