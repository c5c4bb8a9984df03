import { defineConfig } from "vitest/config";

// The local stand-in of Cloudflare Realtime's SFU: Node only (werift), real WebRTC on loopback, no browser.
export default defineConfig({
  test: {
    name: "sfu-standin",
    environment: "node",
    include: ["test/sfu-standin/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
