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
  },
  server: {
    // `npm run dev` runs Vite next to `wrangler dev`; room WebSockets and the API live in the Worker.
    proxy: {
      "/api": { target: "http://localhost:8787", ws: true },
    },
  },
});
