/**
 * The parts of `npm run bench` and the one switch that picks some of them:
 * `npm run bench -- --only cpu,join` runs those two and nothing else. The whole bench needs a quiet
 * machine for ten minutes; while working on one number, its part alone is enough.
 */

/** In the order the bench runs them. */
export const BENCH_PARTS = ["size", "join", "cpu", "noise", "blur", "signaling"] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/** What each part measures, for the usage message. */
const WHAT: Record<BenchPart, string> = {
  size: "page and Worker bytes",
  join: "join times and join cost, 2 to 8 people, natter beside the floor",
  cpu: "CPU per person in a 4-person call, natter beside the floor",
  noise: "noise suppression: download, switch-on time, CPU",
  blur: "background blur: download, first blurred frame, frame rate, CPU",
  signaling: "the relay's latency and throughput beside a bare relay",
};

export const BENCH_USAGE = [
  "usage: npm run bench [-- --only PART[,PART…]]",
  "  without --only, every part runs and the results go to bench/results.json and BENCHMARKS.md;",
  "  with it, only the parts named run and nothing is written (a partial run never replaces the full one).",
  "parts:",
  ...BENCH_PARTS.map((part) => `  ${part.padEnd(10)} ${WHAT[part]}`),
].join("\n");

/** A command line the bench cannot run: the message says what was wrong and lists what is allowed. */
export class BenchArgsError extends Error {}

export interface BenchArgs {
  /** The parts to run, in the bench's order. */
  parts: readonly BenchPart[];
  /** Whether that is every part: only such a run writes results.json and BENCHMARKS.md. */
  complete: boolean;
}

function isPart(name: string): name is BenchPart {
  return (BENCH_PARTS as readonly string[]).includes(name);
}

/** Reads the bench's arguments (what follows `npm run bench --`). */
export function parseBenchArgs(args: readonly string[]): BenchArgs {
  const named = new Set<BenchPart>();
  let only = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    let list: string | undefined;
    if (arg === "--only") list = args[++i];
    else if (arg.startsWith("--only=")) list = arg.slice("--only=".length);
    else throw new BenchArgsError(`bench: unknown argument "${arg}"\n${BENCH_USAGE}`);
    if (list === undefined || list.startsWith("--") || list.trim() === "")
      throw new BenchArgsError(`bench: --only needs a comma-separated list of parts\n${BENCH_USAGE}`);
    only = true;
    for (const name of list.split(",").map((part) => part.trim())) {
      if (!isPart(name))
        throw new BenchArgsError(
          `bench: unknown part "${name}" in --only; the parts are: ${BENCH_PARTS.join(", ")}\n${BENCH_USAGE}`,
        );
      named.add(name);
    }
  }
  const parts = only ? BENCH_PARTS.filter((part) => named.has(part)) : [...BENCH_PARTS];
  return { parts, complete: parts.length === BENCH_PARTS.length };
}
