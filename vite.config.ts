import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The SPA lives in frontend/ but is served by the Worker from ./dist (wrangler.toml [assets]),
// so the build has to land outside Vite's root.
export default defineConfig({
  root: "frontend",
  plugins: [preact()],
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    rolldownOptions: {
      treeshake: {
        // The home page imports isEasyToGuess from worker/room-name-generator.ts, whose module also
        // builds 1,536 words of lists at load time (`words(...)`, `Object.freeze(...)`). Marking those
        // calls pure lets the bundler drop lists nothing reads. test/e2e/bundle.test.ts proves it.
        manualPureFunctions: ["words", "Object.freeze"],
      },
    },
  },
  server: {
    // `npm run dev` runs Vite next to `wrangler dev`; room WebSockets and the API live in the Worker.
    proxy: {
      "/api": { target: "http://localhost:8787", ws: true },
    },
  },
});
