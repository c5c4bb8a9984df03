/**
 * The SFU lab (test/e2e/sfu-lab/lab.ts), bundled by Vite as the app's modules are, as one script
 * to run in a page. Not served like the e2ee lab: the room takes sockets only from its own site's
 * pages (worker/origin.ts) and its CSP allows no other, so the script goes into a blank document
 * at the room's origin instead, as an init script (which no page CSP blocks).
 */
import { fileURLToPath } from "node:url";
import type { BrowserContext } from "playwright-core";
import { build } from "vite";

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
