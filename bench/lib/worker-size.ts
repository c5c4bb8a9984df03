/**
 * The Worker as it would be uploaded: `wrangler deploy --dry-run` bundles it exactly as a deploy
 * would (no account needed), and what it writes to --outdir is what runs at the edge.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export interface WorkerSize {
  /** Bytes of the bundled .js files, raw and gzipped (zlib default level, as the page sizes are). */
  raw: number;
  gzip: number;
  /** Wrangler's own "Total Upload: … / gzip: …" line, for comparison. */
  wranglerSays: string;
}

export async function workerSize(root: string, assets: string): Promise<WorkerSize> {
  const outdir = mkdtempSync(join(tmpdir(), "natter-bench-worker-"));
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        join(root, "node_modules", ".bin", "wrangler"),
        ["deploy", "--dry-run", "--outdir", outdir, "--assets", assets],
        {
          cwd: root,
          env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      child.stderr.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      child.once("error", reject);
      child.once("exit", (code) =>
        code === 0 ? resolve(text) : reject(new Error(`wrangler deploy --dry-run failed (${code}):\n${text}`)),
      );
    });
    let raw = 0;
    let gzip = 0;
    for (const name of readdirSync(outdir)) {
      if (!/\.m?js$/.test(name)) continue;
      const bytes = readFileSync(join(outdir, name));
      raw += bytes.byteLength;
      gzip += gzipSync(bytes).byteLength;
    }
    const wranglerSays = /Total Upload:[^\n]*/.exec(output)?.[0]?.trim() ?? "";
    return { raw, gzip, wranglerSays };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
