/** The machine a run measured on, and how busy it was: without them, a number cannot be compared with anything. */
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  chromium: string;
  wrangler: string;
  playwrightCore: string;
}

export function machine(root: string, chromiumVersion: string): Machine {
  const packageVersion = (name: string) =>
    (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    chromium: chromiumVersion,
    wrangler: packageVersion("wrangler"),
    playwrightCore: packageVersion("playwright-core"),
  };
}

/** How busy the machine was at one moment: a busy machine gives slow, noisy numbers. */
export interface Busyness {
  /** 1-minute load average. */
  load: number;
  /** Chromium and workerd processes this run did not start (other people's tests), counted by name. */
  chromium: number;
  workerd: number;
}

/**
 * Counts Chromium and workerd processes outside `ours` (this run's wrangler process groups, and
 * this process's own children's groups), from /proc: only reads the process table, never touches
 * anything in it. Sampled while this run has no browser open, so every Chromium counted is someone else's.
 */
export function busyness(ours: ReadonlySet<number> = new Set()): Busyness {
  const counts: Busyness = { load: loadavg()[0] ?? 0, chromium: 0, workerd: 0 };
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    // No /proc: the count is only a hint about noise.
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const group = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (ours.has(group)) continue;
      if (/chrom/i.test(name)) counts.chromium++;
      else if (/workerd/.test(name)) counts.workerd++;
    } catch {
      // Gone while we looked.
    }
  }
  return counts;
}
