import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [preact()],
  test: {
    name: "frontend",
    environment: "happy-dom",
    include: ["test/frontend/**/*.test.{ts,tsx}"],
    setupFiles: ["test/frontend/setup.ts"],
  },
});
