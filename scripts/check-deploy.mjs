// `npm test`'s deploy check, offline: bundles the Worker exactly as `wrangler deploy` would
// (`--dry-run`), and fails where a real deploy would fail or misbehave. wrangler's dry run alone
// catches a missing entry point, a bundle that does not build and a Durable Object binding whose
// class is not exported; it only *warns* about some config mistakes and does not replay the
// Durable Object migrations, which Cloudflare checks only at upload time. So this script also
// fails on any wrangler warning, and checks the migrations against the bindings and the bundle.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { unstable_getDurableObjectClassNameToUseSQLiteMap, unstable_readConfig } from "wrangler";

const CONFIG = process.argv[2] ?? "wrangler.toml";
const outdir = mkdtempSync(join(tmpdir(), "natter-deploy-"));
const problems = [];

try {
  const dryRun = spawnSync(
    fileURLToPath(new URL("../node_modules/.bin/wrangler", import.meta.url)),
    ["deploy", "--dry-run", "--config", CONFIG, "--outdir", outdir],
    {
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  const printed = `${dryRun.stdout ?? ""}${dryRun.stderr ?? ""}`;
  process.stdout.write(printed);
  // wrangler colours its labels even with NO_COLOR; the escape codes sit inside "[WARNING]".
  const plain = stripVTControlCharacters(printed);
  if (dryRun.error) problems.push(`could not run wrangler: ${dryRun.error.message}`);
  else if (dryRun.status !== 0) problems.push(`wrangler deploy --dry-run failed (exit code ${dryRun.status})`);
  // A warning here is a config a real deploy would read differently from what the tests ran.
  else if (/\[WARNING\]/.test(plain)) problems.push("wrangler deploy --dry-run printed a warning (above)");

  if (!dryRun.error && dryRun.status === 0) {
    const config = unstable_readConfig({ config: CONFIG });
    // Replays the migrations as Cloudflare does: throws on a rename or delete of a class that does not exist.
    let migrated;
    try {
      migrated = unstable_getDurableObjectClassNameToUseSQLiteMap(config.migrations);
    } catch (error) {
      problems.push(`the Durable Object migrations do not apply: ${error.message}`);
      migrated = new Map();
    }
    const exported = bundleExports(join(outdir, "index.js"));
    const local = config.durable_objects.bindings.filter((binding) => !binding.script_name);
    for (const { name, class_name } of local) {
      if (!migrated.has(class_name))
        problems.push(`binding ${name} uses Durable Object class ${class_name}, which no migration creates`);
    }
    for (const [className, sqlite] of migrated) {
      if (!exported.has(className))
        problems.push(`the migrations create Durable Object class ${className}, but the Worker does not export it`);
      // Workers Free runs only SQLite-backed Durable Objects: a first deploy there fails otherwise.
      if (!sqlite) problems.push(`Durable Object class ${className} is not a SQLite class (new_sqlite_classes)`);
      if (!local.some((binding) => binding.class_name === className))
        problems.push(`Durable Object class ${className} is migrated but no binding reaches it`);
    }
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\nDeploy check failed (${CONFIG}):\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  process.exit(1);
}
console.log(`Deploy check passed (${CONFIG}): bundle, bindings and Durable Object migrations agree.`);

/** The names the bundled entry module exports (esbuild ends an ES module with one `export { … }`). */
function bundleExports(file) {
  const source = readFileSync(file, "utf8");
  const names = new Set();
  for (const [, list] of source.matchAll(/^export\s*\{([^}]*)\}/gm)) {
    for (const item of list.split(",")) {
      const name = item
        .trim()
        .split(/\s+as\s+/)
        .pop();
      if (name) names.add(name);
    }
  }
  return names;
}
