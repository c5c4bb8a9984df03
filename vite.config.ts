import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";
import { inlineTokens } from "./scripts/inline-tokens";
import { pageSizes } from "./scripts/page-sizes";
import { roomPreloadHeaders } from "./scripts/room-preload";
import { headersFile } from "./worker/security-headers";

/**
 * Static assets never pass through the Worker, so their security headers come from a
 * `_headers` file in the build output, written from the same table the Worker uses; room links
 * also get the header that fetches the call's code with the page (scripts/room-preload.ts).
 */
function assetHeaders(): Plugin {
  let publicDir = "";
  return {
    name: "natter-asset-headers",
    apply: "build",
    configResolved(config) {
      publicDir = config.publicDir;
    },
    generateBundle(_options, bundle) {
      const source = `${headersFile()}\n${roomPreloadHeaders(bundle, publicDir)}`;
      this.emitFile({ type: "asset", fileName: "_headers", source });
    },
  };
}

// The SPA lives in frontend/ but is served by the Worker from ./dist (wrangler.toml [assets]),
// so the build has to land outside Vite's root.
export default defineConfig({
  root: "frontend",
  plugins: [inlineTokens(), preact(), assetHeaders(), pageSizes()],
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` runs Vite next to `wrangler dev`; room WebSockets and the API live in the Worker.
    proxy: {
      "/api": { target: "http://localhost:8787", ws: true },
    },
  },
});
