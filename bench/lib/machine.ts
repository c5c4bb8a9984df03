/** The machine a run measured on: without it, a number cannot be compared with anything. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  chromium: string;
  wrangler: string;
  playwrightCore: string;
  /** 1-minute load average when the run started, and other heavy processes seen then: a busy machine is a noisy one. */
  loadAtStart: number;
  othersAtStart: OtherProcesses;
}

export interface OtherProcesses {
  /** Chromium and workerd processes this run did not start (other people's tests), counted by name. */
  chromium: number;
  workerd: number;
}

export function machine(root: string, chromiumVersion: string, before: OtherProcesses, loadAtStart: number): Machine {
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
    loadAtStart,
    othersAtStart: before,
  };
}

/** Counts processes by executable name; only reads the process table, never touches anything in it. */
export function otherProcesses(): OtherProcesses {
  let names: string[] = [];
  try {
    names = execFileSync("ps", ["-eo", "comm="], { encoding: "utf8" }).split("\n");
  } catch {
    // No ps: the count is only a hint about noise.
  }
  return {
    chromium: names.filter((n) => /chrom/i.test(n)).length,
    workerd: names.filter((n) => /workerd/.test(n)).length,
  };
}
