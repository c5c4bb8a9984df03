/**
 * The SFU lab (test/e2e/sfu-lab/lab.ts), bundled by Vite as the app's modules are, as one script
 * to run in a page. Not served like the e2ee lab: the room takes sockets only from its own site's
 * pages (worker/origin.ts) and its CSP allows no other, so the script goes into a blank document
 * at the room's origin instead, as an init script (which no page CSP blocks).
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext } from "playwright-core";
import { build } from "vite";
import { headersFile } from "../../worker/security-headers";

const ENTRY = fileURLToPath(new URL("../e2e/sfu-lab/lab.ts", import.meta.url));

let bundled: Promise<string> | null = null;

/** The lab as one classic script that sets `window.sfuLab` (built once per test file). */
export function sfuLabScript(): Promise<string> {
  bundled ??= (async () => {
    const result = await build({
      configFile: false,
      logLevel: "warn",
      publicDir: false,
      build: {
        write: false,
        minify: false,
        target: "esnext",
        lib: { entry: ENTRY, formats: ["iife"], name: "natterSfuLab" },
      },
    });
    for (const output of Array.isArray(result) ? result : [result])
      if ("output" in output)
        for (const chunk of output.output) if (chunk.type === "chunk" && chunk.isEntry) return chunk.code;
    throw new Error("Vite built no SFU lab script");
  })();
  return bundled;
}

/** Every page of `context` gets the lab before its own scripts. */
export async function addSfuLab(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: await sfuLabScript() });
}

const SECURE_ROOT = fileURLToPath(new URL("../e2e/sfu-lab/", import.meta.url));

/**
 * The SFU lab with end-to-end encryption (sfu-lab/index.html and secure.ts) as static assets for
 * `wrangler dev --assets`: the page at /sfu-lab/, its transform worker a same-origin file beside
 * it, and a `_headers` file with the app's own security headers, so the room takes the page's
 * socket and the worker starts under the real Content-Security-Policy. Returns the directory
 * (delete it when done).
 */
export async function buildSecureSfuLab(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), "natter-sfu-e2ee-lab-"));
  await build({
    root: SECURE_ROOT,
    base: "/sfu-lab/",
    configFile: false,
    logLevel: "warn",
    publicDir: false,
    build: {
      outDir: join(out, "sfu-lab"),
      emptyOutDir: true,
      target: "esnext",
      minify: false,
      modulePreload: { polyfill: false },
    },
    worker: { format: "es" },
  });
  await writeFile(join(out, "_headers"), headersFile());
  return out;
}
