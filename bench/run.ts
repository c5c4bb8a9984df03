/**
 * `npm run bench`: join speed, signaling cost and size, each next to a floor measured in the same
 * run, printed as a table and written to bench/results.json. BENCHMARKS.md explains the numbers.
 * `npm run bench -- --only cpu,join` runs only the parts named (parts.ts) and writes nothing.
 *
 * The npm script builds the frontend first and bundles this file with esbuild, because Node's type
 * stripping cannot follow extensionless imports and the Node tsconfig does not allow ".ts" ones.
 */
import { randomBytes } from "node:crypto";
import { accessSync, constants, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { killEverythingStarted, startWrangler, type WranglerServer } from "../tooling/wrangler";
import { type CpuOptions, type CpuRun, runCpu } from "./cpu";
import { type BlurOutcome, blurLines, measureBlur } from "./effect-blur";
import { measureNoise, type NoiseOutcome, noiseLines } from "./effect-noise";
import { type JoinOptions, type JoinRun, launchChromium, measurePageBytes, type PageBytes, runJoin } from "./join";
import { type Busyness, busyness, machine } from "./lib/machine";
import { type Summary, summarize } from "./lib/stats";
import { type WorkerSize, workerSize } from "./lib/worker-size";
import { BenchArgsError, type BenchPart, parseBenchArgs } from "./parts";
import { Rooms, type StepResult, type Sweep, settle, sweep } from "./signaling";

const ROOT = process.cwd();
const RESULTS = join(ROOT, "bench", "results.json");
const BENCHMARKS = join(ROOT, "BENCHMARKS.md");
const RESULTS_START = "<!-- results:start (written by npm run bench) -->";
const RESULTS_END = "<!-- results:end -->";
/** The noise-suppression bench's microphone: speech under typing (made by scripts/make-speech-noise.mjs). */
const VOICE_FILE = join(ROOT, "test", "fixtures", "speech-noise.wav");
/**
 * The issue's limit is 10 minutes. On a busy machine the joins can take many times longer than on
 * an idle one, so each part has a deadline after which its remaining runs are skipped (and said
 * so) rather than pushing the whole bench past the limit.
 */
const JOIN_DEADLINE_MS = 5.5 * 60_000;
const SIGNALING_DEADLINE_MS = 8.5 * 60_000;
const HARD_LIMIT_MS = 10 * 60_000;
const JOIN_RUNS = 5;
/** 4-person joins of each system (natter, floor), interleaved; 8 people run once each. */
const MESH_RUNS = 3;
/** CPU-per-person measurements (4 people) of each system, interleaved. */
const CPU_RUNS = 2;
const LATENCY_RATE = 500;
const LATENCY_MS = 5_000;
const SWEEP_RATES = [250, 500, 1_000, 1_500, 2_000, 3_000, 4_000, 6_000, 8_000, 12_000, 16_000];
const STEP_MS = 2_000;
const DRAIN_MS = 1_000;
/** Flood control off, for throughput: the default (100 msg/s per socket) would cap the measurement, not the relay. */
const UNLIMITED = { MESSAGES_PER_SECOND: "100000", MESSAGE_BURST: "100000" };
const KB = 1000;

/** Which parts run; a mistyped part stops the bench here, before it starts anything. */
const { parts, complete } = (() => {
  try {
    return parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchArgsError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
})();
const wants = (part: BenchPart) => parts.includes(part);

const started = Date.now();
const elapsed = () => Date.now() - started;
const log = (line: string) => console.log(`[${(elapsed() / 1000).toFixed(0).padStart(3)} s] ${line}`);

process.once("exit", killEverythingStarted);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killEverythingStarted();
    process.exit(130);
  });
}
setTimeout(() => {
  console.error(`bench: still running after ${HARD_LIMIT_MS / 60_000} minutes; stopping everything it started.`);
  killEverythingStarted();
  process.exit(1);
}, HARD_LIMIT_MS).unref();

const notes: string[] = [];
const failures: string[] = [];

async function main(): Promise<void> {
  const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  preflight(chromiumPath);
  const busy: Record<string, Busyness> = { start: busyness() };
  // A private copy of the build just made: anyone else's `vite build` in this checkout empties dist/
  // for a moment, and a page load that lands in that moment would fail or measure someone else's bundle.
  const assets = mkdtempSync(join(tmpdir(), "natter-bench-dist-"));
  cpSync(join(ROOT, "dist"), assets, { recursive: true });
  process.once("exit", () => rmSync(assets, { recursive: true, force: true }));
  if (!complete) log(`only ${parts.join(", ")} (--only): nothing is written`);
  // Each part starts only the servers it uses: the floor for the comparisons, flood control off for throughput.
  const browserParts = wants("size") || wants("join") || wants("cpu");
  const needFloor = wants("join") || wants("cpu") || wants("signaling");
  log(
    `starting natter${wants("signaling") ? " (twice: default and flood control off)" : ""}${needFloor ? ", the floor Worker" : ""}${wants("size") ? ", and a dry-run deploy" : ""}`,
  );
  const [natter, fast, floor, worker] = await Promise.all([
    startWrangler({ name: "natter", root: ROOT, assets, healthPath: "/api/health" }),
    wants("signaling")
      ? startWrangler({
          name: "natter, no flood control",
          root: ROOT,
          assets,
          healthPath: "/api/health",
          vars: UNLIMITED,
        })
      : null,
    needFloor
      ? startWrangler({ name: "floor", root: ROOT, config: "bench/floor/wrangler.toml", healthPath: "/health" })
      : null,
    wants("size") ? workerSize(ROOT, assets) : null,
  ]);
  const servers = [natter, fast, floor].filter((server): server is WranglerServer => server !== null);
  try {
    let chromium = "";
    let sizes: { home: PageBytes; room: PageBytes } | null = null;
    let runs: JoinRun[] = [];
    let cpu: CpuRun[] = [];
    if (browserParts) {
      const browser = await launchChromium(chromiumPath);
      try {
        chromium = browser.version();
        if (wants("size"))
          sizes = {
            home: await measurePageBytes(browser, `${natter.baseUrl}/`, false),
            room: await measurePageBytes(
              browser,
              `${natter.baseUrl}/bench-size-${randomBytes(4).toString("hex")}`,
              true,
            ),
          };
        if (floor && (wants("join") || wants("cpu"))) ({ runs, cpu } = await joins(browser, natter, floor));
      } finally {
        await browser.close().catch(() => {});
      }
      // Our browser is closed now, so every Chromium still running is someone else's.
      busy.afterJoins = busyness(new Set(servers.map((s) => s.group).filter((g): g is number => g !== null)));
    }
    let noise: NoiseOutcome | null = null;
    if (wants("noise")) {
      // Its own Chromium (a speech-and-typing microphone), after the joins' one has closed: its CPU is its own.
      log("noise suppression: download, switch-on time, CPU off and on");
      noise = await measureNoise({ chromiumPath, baseUrl: natter.baseUrl, dist: assets, voiceFile: VOICE_FILE });
    }
    let blur: BlurOutcome | null = null;
    if (wants("blur")) {
      log("background blur: download, switch-on time, frame rate, CPU off and on");
      blur = await measureBlur(chromiumPath, natter.baseUrl);
    }
    const signaling = wants("signaling") && fast && floor ? await signalingBench(natter, fast, floor) : null;
    await Promise.all(servers.map((s) => s.stop()));
    busy.end = busyness();
    report({ chromium, busy, sizes, worker, runs, cpu, signaling, noise, blur });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

function preflight(chromiumPath: string): void {
  if (!existsSync(join(ROOT, "wrangler.toml")) || !existsSync(join(ROOT, "dist", "index.html"))) {
    throw new Error("Run the bench from the project root after a build: `npm run bench` does both.");
  }
  try {
    accessSync(chromiumPath, constants.X_OK);
  } catch {
    throw new Error(`The bench needs Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH).`);
  }
}

// ---- join ------------------------------------------------------------------------

async function joins(
  browser: Browser,
  natter: WranglerServer,
  floor: WranglerServer,
): Promise<{ runs: JoinRun[]; cpu: CpuRun[] }> {
  const runs: JoinRun[] = [];
  const cpu: CpuRun[] = [];
  // A run that starts just before the deadline may overrun it by a minute, no more: one slow run
  // (natter's 4-person join has taken minutes on a loaded machine) must not cost the signaling part.
  const timeLeft = () => Math.max(30_000, JOIN_DEADLINE_MS + 60_000 - elapsed());
  const labelOf = (o: JoinOptions | CpuOptions) =>
    `${o.system} ${o.people} people${"smallVideo" in o && o.smallVideo ? " (small video)" : ""}`;
  const attempt = async (options: JoinOptions, keep = true): Promise<boolean> => {
    const label = labelOf(options);
    if (elapsed() > JOIN_DEADLINE_MS && keep) {
      failures.push(`${label}: skipped, the join part of the bench ran out of time`);
      return false;
    }
    try {
      const run = await runJoin(browser, { runTimeoutMs: timeLeft(), ...options });
      const click =
        run.marks.click === null ? "" : `, Join click → frame ${ms(run.marks.frameFirst - run.marks.click)}`;
      const all = options.people > 2 ? `, frames from all ${options.people - 1} at ${ms(run.marks.frameAll)}` : "";
      log(`${keep ? "" : "warm-up "}${label}: first remote frame at ${ms(run.marks.frameFirst)}${click}${all}`);
      if (keep) runs.push(run);
      return true;
    } catch (error) {
      const message = `${label}: ${(error as Error).message}`;
      if (keep) failures.push(message);
      log(`FAILED ${message.split("\n")[0]}`);
      return false;
    }
  };
  const measureCpu = async (options: CpuOptions) => {
    const label = `CPU, ${labelOf(options)}`;
    if (elapsed() > JOIN_DEADLINE_MS) {
      failures.push(`${label}: skipped, the join part of the bench ran out of time`);
      return;
    }
    try {
      const run = await runCpu(browser, { runTimeoutMs: timeLeft(), ...options });
      log(`${label}: ${run.perPersonPercent.toFixed(1)}% of a core per person`);
      cpu.push(run);
    } catch (error) {
      failures.push(`${label}: ${(error as Error).message}`);
      log(`FAILED ${label}: ${(error as Error).message.split("\n")[0]}`);
    }
  };
  const both = (people: number): [JoinOptions, JoinOptions] => [
    { system: "natter", baseUrl: natter.baseUrl, people },
    { system: "floor", baseUrl: floor.baseUrl, people },
  ];
  const [natter2, floor2] = both(2);
  // The first call of a fresh browser and a fresh workerd pays one-off costs (code caches, the DO class, codecs).
  await attempt(natter2, false);
  await attempt(floor2, false);
  // Interleaved, so that a burst of load from elsewhere hits both sides of the ratio alike.
  for (let i = 0; i < JOIN_RUNS && wants("join"); i++) {
    await attempt(natter2);
    await attempt(floor2);
  }
  // Eight pages each encoding and decoding seven streams is most of what two cores can do: one run
  // each, small video, longer steps, and a cap so that a machine that cannot do it costs minutes,
  // not the bench. The cap is worked out when each run starts, from the time left.
  const big = (options: JoinOptions): JoinOptions => ({
    ...options,
    smallVideo: true,
    stepTimeoutMs: 90_000,
    runTimeoutMs: Math.min(150_000, timeLeft()),
  });
  const cpuRun = async () => {
    if (!wants("cpu")) return;
    for (const { system, baseUrl } of both(4)) await measureCpu({ system, baseUrl, people: 4, stepTimeoutMs: 45_000 });
  };
  // One of everything first, then the repeats: on a slow machine the deadline then costs repeats,
  // not a whole row.
  if (wants("join")) {
    for (const options of both(4)) await attempt(options);
    // The floor first here: it is the quicker of the two, so a slow natter run that eats the time
    // left still leaves a floor to compare the next run with, not two gaps.
    const eight: boolean[] = [];
    for (const options of both(8).reverse()) eight.push(await attempt(big(options)));
    // Only if eight failed for a system (not for want of time): the largest call that works, for both.
    if (eight.includes(false) && elapsed() < JOIN_DEADLINE_MS) {
      for (const options of both(6).reverse()) await attempt(big(options));
    }
  }
  await cpuRun();
  for (let i = 1; i < Math.max(MESH_RUNS, CPU_RUNS); i++) {
    if (i < MESH_RUNS && wants("join")) for (const options of both(4)) await attempt(options);
    if (i < CPU_RUNS) await cpuRun();
  }
  return { runs, cpu };
}

// ---- signaling -------------------------------------------------------------------

interface SignalingResults {
  latency: { natter: StepResult; bare: StepResult } | null;
  oneRoom: { natter: Sweep; bare: Sweep } | null;
  hundredRooms: { natter: Sweep; bare: Sweep } | null;
}

async function signalingBench(
  natter: WranglerServer,
  fast: WranglerServer,
  floor: WranglerServer,
): Promise<SignalingResults> {
  const results: SignalingResults = { latency: null, oneRoom: null, hundredRooms: null };
  const withRooms = async <T>(
    relay: "natter" | "bare",
    server: WranglerServer,
    rooms: number,
    size: number,
    work: (r: Rooms) => Promise<T>,
  ) => {
    const set = await Rooms.open(relay, server.baseUrl, rooms, size, `${relay}-${randomBytes(4).toString("hex")}`);
    try {
      return await work(set);
    } finally {
      set.close();
      await settle(server.cpuSeconds);
    }
  };

  // One part failing (a socket refused, a server gone) must not cost the numbers of the others.
  const guarded = async <T>(what: string, work: () => Promise<T>): Promise<T | null> => {
    if (elapsed() > SIGNALING_DEADLINE_MS) {
      failures.push(`signaling, ${what}: skipped, the bench ran out of time`);
      return null;
    }
    try {
      return await work();
    } catch (error) {
      failures.push(`signaling, ${what}: ${(error as Error).message}`);
      log(`FAILED signaling, ${what}: ${(error as Error).message.split("\n")[0]}`);
      return null;
    }
  };
  results.latency = await guarded("latency", async () => {
    // natter with its default flood control: 8 peers × 62.5 msg/s each stays under 100 msg/s per socket.
    const n = await withRooms("natter", natter, 1, 8, (r) =>
      r.drive(LATENCY_RATE, LATENCY_MS, DRAIN_MS, natter.cpuSeconds),
    );
    const b = await withRooms("bare", floor, 1, 8, (r) =>
      r.drive(LATENCY_RATE, LATENCY_MS, DRAIN_MS, floor.cpuSeconds),
    );
    log(`relay at ${LATENCY_RATE} msg/s, 1 room × 8: natter p99 ${ms(n.p99, 1)}, bare p99 ${ms(b.p99, 1)}`);
    return { natter: n, bare: b };
  });
  // Four sweeps share what is left before the signaling deadline; a sweep that runs out says so.
  let sweepsLeft = 4;
  const sweepOne = (server: WranglerServer, relay: "natter" | "bare", rooms: number, size: number) => {
    const deadline = Date.now() + (started + SIGNALING_DEADLINE_MS - Date.now()) / sweepsLeft--;
    return withRooms(relay, server, rooms, size, (r) =>
      sweep(r, SWEEP_RATES, STEP_MS, DRAIN_MS, server.cpuSeconds, deadline),
    );
  };
  const sweepBoth = async (rooms: number, size: number) => {
    const n = await sweepOne(fast, "natter", rooms, size);
    const b = await sweepOne(floor, "bare", rooms, size);
    log(`throughput, ${rooms} room(s) × ${size}: natter ${n.sustained} msg/s, bare ${b.sustained} msg/s`);
    return { natter: n, bare: b };
  };
  results.oneRoom = await guarded("1 room × 8", () => sweepBoth(1, 8));
  results.hundredRooms = await guarded("100 rooms × 4", () => sweepBoth(100, 4));
  return results;
}

// ---- report ----------------------------------------------------------------------

interface Row {
  label: string;
  summary: Summary | null;
  /** Shown instead of numbers when there is nothing to summarise. */
  missing?: string;
  unit?: "ms" | "B" | "frames" | "%";
  note?: string;
}

function ms(value: number, digits = 0): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)} ms` : "∞";
}

function joinRows(runs: JoinRun[]): Row[] {
  const hairCheck = runs.some((r) => r.marks.click !== null);
  const each = (f: (r: JoinRun) => number | null) =>
    summarize(runs.map(f).filter((v): v is number => v !== null && Number.isFinite(v)));
  const noClick = hairCheck ? undefined : "n/a (no hair check)";
  const people = runs[0]?.people ?? 2;
  const rows: Row[] = [
    { label: "navigation → page ready", summary: each((r) => r.marks.ready) },
    {
      label: "page ready → Join click (harness reaction)",
      summary: hairCheck ? each((r) => (r.marks.click === null ? null : r.marks.click - r.marks.ready)) : null,
      missing: noClick ?? "",
    },
    {
      label: hairCheck ? "Join click → socket welcomed" : "page ready → socket welcomed",
      summary: each((r) => r.marks.welcomed - (r.marks.click ?? r.marks.ready)),
    },
    { label: "welcomed → peer connection connected", summary: each((r) => r.marks.connectedFirst - r.marks.welcomed) },
    { label: "connected → first decoded frame", summary: each((r) => r.marks.frameFirst - r.marks.connectedFirst) },
    { label: "navigation → first remote frame", summary: each((r) => r.marks.frameFirst) },
  ];
  if (hairCheck) {
    rows.push({
      label: "  … less the harness reaction",
      summary: each((r) => (r.marks.click === null ? null : r.marks.frameFirst - (r.marks.click - r.marks.ready))),
    });
  }
  rows.push({
    label: "Join click → first remote frame",
    summary: hairCheck ? each((r) => (r.marks.click === null ? null : r.marks.frameFirst - r.marks.click)) : null,
    missing: noClick ?? "",
  });
  if (people > 2) {
    rows.push({ label: `navigation → frames from all ${people - 1}`, summary: each((r) => r.marks.frameAll) });
    rows.push({
      label: `Join click → frames from all ${people - 1}`,
      summary: hairCheck ? each((r) => (r.marks.click === null ? null : r.marks.frameAll - r.marks.click)) : null,
      missing: noClick ?? "",
    });
  }
  rows.push({
    label: "first frame by track processor (cross-check)",
    summary: each((r) => r.marks.frameFirstProcessor),
    missing: "not available",
  });
  return rows;
}

function costRows(runs: JoinRun[]): Row[] {
  const each = (f: (r: JoinRun) => number) => summarize(runs.map(f));
  return [
    { label: "frames to the room", summary: each((r) => r.cost.toRoom.count), unit: "frames" },
    { label: "frames from the room", summary: each((r) => r.cost.fromRoom.count), unit: "frames" },
    { label: "bytes to + from the room", summary: each((r) => r.cost.toRoom.bytes + r.cost.fromRoom.bytes), unit: "B" },
  ];
}

function format(value: number, unit: Row["unit"] = "ms"): string {
  if (unit === "%") return value.toFixed(1);
  return unit === "ms" ? value.toFixed(0) : Math.round(value).toLocaleString("en-US");
}

function printTable(title: string, rows: Row[]): string {
  const lines = [
    `\n${title}`,
    `  ${"".padEnd(46)} ${"n".padStart(3)} ${"min".padStart(8)} ${"median".padStart(8)} ${"max".padStart(8)}`,
  ];
  for (const row of rows) {
    const s = row.summary;
    const cells = s
      ? `${String(s.n).padStart(3)} ${format(s.min, row.unit).padStart(8)} ${format(s.median, row.unit).padStart(8)} ${format(s.max, row.unit).padStart(8)}`
      : `    ${row.missing ?? "no data"}`;
    lines.push(`  ${row.label.padEnd(46)} ${cells}${row.note ? `  ${row.note}` : ""}`);
  }
  return lines.join("\n");
}

interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean | null;
  /** measured ÷ limit (for "≤" targets) or limit ÷ measured (for "≥"): above 1 means that much off. */
  off: number | null;
}

/** What the parts measured; a part that did not run (--only) leaves its field null or its list empty. */
function report(input: {
  chromium: string;
  busy: Record<string, Busyness>;
  sizes: { home: PageBytes; room: PageBytes } | null;
  worker: WorkerSize | null;
  runs: JoinRun[];
  cpu: CpuRun[];
  signaling: SignalingResults | null;
  noise: NoiseOutcome | null;
  blur: BlurOutcome | null;
}): void {
  const { runs, cpu, signaling, sizes, worker } = input;
  const group = (system: string, people: number) => runs.filter((r) => r.system === system && r.people === people);
  const natter2 = group("natter", 2);
  const floor2 = group("floor", 2);
  const natter4 = group("natter", 4);
  const natter8 = group("natter", 8);
  const mesh = meshComparison(runs);
  const cpuOf = (system: string) => summarize(cpu.filter((r) => r.system === system).map((r) => r.perPersonPercent));
  const cpuNatter = cpuOf("natter");
  const cpuFloor = cpuOf("floor");
  const cpuRatio = (cpuNatter?.median ?? Number.NaN) / (cpuFloor?.median ?? Number.NaN);
  const median = (list: JoinRun[], f: (r: JoinRun) => number | null) =>
    summarize(list.map(f).filter((v): v is number => v !== null))?.median ?? Number.NaN;
  const natterFirst = median(natter2, (r) => r.marks.frameFirst);
  const floorFirst = median(floor2, (r) => r.marks.frameFirst);
  const natterMachine = median(natter2, (r) =>
    r.marks.click === null ? r.marks.frameFirst : r.marks.frameFirst - (r.marks.click - r.marks.ready),
  );
  const clickToFrame = median(natter2, (r) => (r.marks.click === null ? null : r.marks.frameFirst - r.marks.click));
  const hairCheck = natter2.some((r) => r.marks.click !== null);

  const out: string[] = [];
  if (wants("join")) {
    out.push(printTable("Join, 2 people, ms: natter (second person to open the link)", joinRows(natter2)));
    out.push(printTable("Join, 2 people, ms: floor (bare relay, minimal page)", joinRows(floor2)));
    out.push(
      `  natter ÷ floor, navigation → first remote frame (medians): ${ratio(natterFirst, floorFirst)}` +
        (hairCheck ? `; less the harness reaction: ${ratio(natterMachine, floorFirst)}` : ""),
    );
    for (const { people, natter, floor } of mesh) {
      const video = people > 4 ? ", 160×120 video" : "";
      for (const [system, list, what] of [
        ["natter", natter, `${ordinal(people)} person to open the link`],
        ["floor", floor, "full mesh"],
      ] as const) {
        const title = `Join, ${people} people${video}, ms: ${system} (${what})`;
        out.push(
          list.length > 0 ? printTable(title, joinRows(list)) : `\n${title}\n  no completed run (see FAILED below)`,
        );
      }
    }
    out.push(meshTable(mesh));
  }
  if (wants("cpu"))
    out.push(
      printTable(
        `CPU per person, 4 people, 160×120 video at 10 fps, % of one core (whole Chromium tree, ${CPU_RUNS} runs each)`,
        [
          { label: "natter", summary: cpuNatter, unit: "%" },
          { label: "floor (full mesh)", summary: cpuFloor, unit: "%" },
        ],
      ),
      `  natter ÷ floor (medians): ${ratio(cpuNatter?.median ?? Number.NaN, cpuFloor?.median ?? Number.NaN)}`,
    );
  for (const [people, list] of [
    [2, natter2],
    [4, natter4],
    [8, natter8],
  ] as const) {
    if (list.length > 0 && wants("join"))
      out.push(
        printTable(
          `Cost of the ${ordinal(people)} person's join (all pages' room frames, heartbeats excluded)`,
          costRows(list),
        ),
      );
  }

  const sig = signaling;
  const sigLines = ["\nSignaling relay (Node WebSocket clients on 127.0.0.1)"];
  if (sig?.latency) {
    for (const [name, step] of [
      ["natter (default flood control)", sig.latency.natter],
      ["bare relay", sig.latency.bare],
    ] as const) {
      sigLines.push(
        `  ${LATENCY_RATE} msg/s, 1 room × 8, ${name.padEnd(31)} p50 ${ms(step.p50, 1).padStart(9)}  p99 ${ms(step.p99, 1).padStart(9)}  max ${ms(step.max, 1).padStart(9)}  delivered ${(step.deliveredShare * 100).toFixed(1)}%  errors ${step.errors}  CPU cores server ${step.serverCores?.toFixed(2) ?? "?"}`,
      );
    }
  }
  for (const [title, pair] of [
    ["1 room × 8 peers", sig?.oneRoom],
    ["100 rooms × 4 peers", sig?.hundredRooms],
  ] as const) {
    if (!pair) continue;
    const bound = (s: Sweep) => `${s.cutShort ? "≥" : " "}${String(s.sustained).padStart(5)}`;
    sigLines.push(
      `  highest sustained, ${title.padEnd(20)} natter ${bound(pair.natter)} msg/s   bare ${bound(pair.bare)} msg/s   ratio ${ratio(pair.natter.sustained, pair.bare.sustained)}${pair.natter.cutShort || pair.bare.cutShort ? "  (≥: the sweep ran out of time before a rate failed)" : ""}`,
    );
    for (const [name, s] of [
      ["natter", pair.natter],
      ["bare", pair.bare],
    ] as const) {
      for (const x of s.steps) {
        const p99 = Number.isFinite(x.p99) ? x.p99.toFixed(1) : "∞";
        const cpu = `CPU cores client ${x.clientCores.toFixed(2)} / server ${x.serverCores?.toFixed(2) ?? "?"}`;
        sigLines.push(
          `    ${x.pass ? "✓" : "✗"} ${name.padEnd(6)} ${String(x.offered).padStart(6)} msg/s: p50 ${x.p50.toFixed(1).padStart(6)}  p99 ${p99.padStart(6)}  last-quarter p50 ${x.endP50.toFixed(1).padStart(6)} ms  delivered ${(x.deliveredShare * 100).toFixed(1).padStart(5)}%  ${cpu}${x.overwhelmed ? "  (stopped: a second behind)" : ""}`,
        );
      }
    }
  }
  if (sig) out.push(sigLines.join("\n"));

  const homeBytes = sizes ? sizes.home.js + sizes.home.css : Number.NaN;
  const roomBytes = sizes ? sizes.room.js + sizes.room.css : Number.NaN;
  if (sizes && worker)
    out.push(
      [
        "\nSize (gzip, zlib default level; 1 KB = 1000 bytes)",
        `  home page JS + CSS   ${(homeBytes / KB).toFixed(1).padStart(6)} KB  (JS ${(sizes.home.js / KB).toFixed(1)}, CSS ${(sizes.home.css / KB).toFixed(1)}; ${sizes.home.files.length} files)`,
        `  room page JS + CSS   ${(roomBytes / KB).toFixed(1).padStart(6)} KB  (JS ${(sizes.room.js / KB).toFixed(1)}, CSS ${(sizes.room.css / KB).toFixed(1)}; ${sizes.room.files.length} files, as the browser fetched them)`,
        `  Worker bundle        ${(worker.gzip / KB).toFixed(1).padStart(6)} KB  (raw ${(worker.raw / KB).toFixed(1)} KB; wrangler: ${worker.wranglerSays})`,
      ].join("\n"),
    );

  if (input.noise) out.push(noiseLines(input.noise));
  if (input.blur) out.push(blurLines(input.blur));

  const relayP99 = sig?.latency?.natter.p99 ?? Number.NaN;
  // Each target with the part that measures it: a part that did not run has no row.
  const byPart: [BenchPart, Target][] = [
    ["join", atMost("2 people: navigation → first remote frame (median)", natterFirst, 600, "ms")],
    ["join", atMost("… the same, ÷ floor", natterFirst / floorFirst, 1.5, "×")],
    [
      "join",
      hairCheck
        ? atMost("Join click → first remote frame (median)", clickToFrame, 250, "ms")
        : {
            what: "Join click → first remote frame (median)",
            target: "≤ 250 ms",
            measured: "n/a (no hair check)",
            met: null,
            off: null,
          },
    ],
    ["signaling", atMost(`relay p99 at ${LATENCY_RATE} msg/s, one room`, relayP99, 5, "ms")],
    [
      "signaling",
      atLeast(
        "throughput ÷ bare relay, 1 room × 8",
        sig?.oneRoom ? sig.oneRoom.natter.sustained / sig.oneRoom.bare.sustained : Number.NaN,
        0.8,
      ),
    ],
    [
      "signaling",
      atLeast(
        "throughput ÷ bare relay, 100 rooms × 4",
        sig?.hundredRooms ? sig.hundredRooms.natter.sustained / sig.hundredRooms.bare.sustained : Number.NaN,
        0.8,
      ),
    ],
    ["size", atMost("home page JS + CSS", homeBytes / KB, 35, "KB")],
    ["size", atMost("room page JS + CSS", roomBytes / KB, 80, "KB")],
    ["size", atMost("Worker", (worker?.gzip ?? Number.NaN) / KB, 60, "KB")],
    ...mesh
      .filter((m) => m.people !== 6)
      .map((m): [BenchPart, Target] => [
        "join",
        atMost(`${m.people} people: navigation → frames from all ÷ floor`, m.navigation.ratio, 1.5, "×"),
      ]),
    ["cpu", atMost("CPU per person, 4 people ÷ floor", cpuRatio, 1.2, "×")],
  ];
  const targets = byPart.filter(([part]) => wants(part)).map(([, target]) => target);
  if (targets.length > 0)
    out.push(
      [
        "\nTargets (from issues 8 and 15)",
        ...targets.map(
          (t) =>
            `  ${t.met === null ? "–" : t.met ? "✓" : "✗"} ${t.what.padEnd(48)} ${t.measured.padStart(12)}  target ${t.target}${t.off !== null && !t.met ? `  (${t.off.toFixed(2)}× off)` : ""}`,
        ),
      ].join("\n"),
    );

  const m = machine(ROOT, input.chromium);
  const samples = Object.values(input.busy);
  const others = Math.max(...samples.map((b) => b.chromium + b.workerd));
  const peakLoad = Math.max(...samples.map((b) => b.load));
  const shared = others > 0 || (input.busy.start?.load ?? 0) > m.cores / 2;
  const loads = Object.entries(input.busy)
    .map(([when, b]) => `${b.load.toFixed(1)} (${when})`)
    .join(", ");
  if (shared) {
    notes.push(
      `The machine was shared: up to ${others} Chromium/workerd processes of others were running while the bench ran; 1-minute load average ${loads} on ${m.cores} cores. Timings are slower and noisier than on an idle machine.`,
    );
  } else if (peakLoad > m.cores) {
    notes.push(
      `Load average reached ${peakLoad.toFixed(1)} on ${m.cores} cores (${loads}), mostly this bench's own browsers.`,
    );
  }
  if (failures.length > 0) notes.push(`${failures.length} run(s) failed or were skipped; see "failures".`);
  out.push(
    `\nMachine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}${m.chromium ? `, Chromium ${m.chromium}` : ""}, wrangler ${m.wrangler}, playwright-core ${m.playwrightCore}`,
  );
  out.push(`1-minute load average: ${loads}. Took ${(elapsed() / 1000).toFixed(0)} s.`);
  for (const note of notes) out.push(`NOTE: ${note}`);
  for (const failure of failures) out.push(`FAILED: ${failure.split("\n")[0]}`);
  console.log(out.join("\n"));
  if (!complete) {
    // The published numbers are one whole run's: a part's numbers beside another day's would not compare.
    console.log(`\nOnly ${parts.join(", ")} ran (--only): ${RESULTS} and ${BENCHMARKS} are left as they were.`);
    return;
  }

  const summaries = (list: JoinRun[]) => Object.fromEntries(joinRows(list).map((r) => [r.label.trim(), r.summary]));
  const costs = (list: JoinRun[]) => Object.fromEntries(costRows(list).map((r) => [r.label, r.summary]));
  const results = {
    date: new Date(started).toISOString(),
    durationSeconds: Math.round(elapsed() / 1000),
    machine: m,
    busy: { ...input.busy, shared },
    method: {
      firstFrame:
        "getStats() framesDecoded > 0 on an inbound video stream, polled every 10 ms once the RTCPeerConnection is connected",
      crossCheck: "first VideoFrame from a MediaStreamTrackProcessor on a clone of the remote track",
      joinRunsEach: JOIN_RUNS,
      meshRunsEach: { n4: MESH_RUNS, n8: 1 },
      cpuPerPerson:
        "4 people at 160×120, 10 fps; once all decode all and 2 s more, the user + system CPU time of the bench's Chromium and all its descendant processes (/proc) over 5 s, ÷ 4 people ÷ the window",
      cpuRunsEach: CPU_RUNS,
      signalingRates: SWEEP_RATES,
      stepMs: STEP_MS,
      drainMs: DRAIN_MS,
      pass: "delivered ≥ 99% within the drain, median of the step's last quarter ≤ 20 ms, p99 ≤ 200 ms, and the client really sent ≥ 95% of the offered rate",
      throughputFloodControl: UNLIMITED,
    },
    targets,
    join: {
      natter2: summaries(natter2),
      floor2: summaries(floor2),
      natter4: summaries(natter4),
      natter8SmallVideo: summaries(natter8),
      mesh: Object.fromEntries(
        mesh.map((m) => [
          `n${m.people}`,
          {
            smallVideo: m.people > 4,
            natter: summaries(m.natter),
            floor: summaries(m.floor),
            navigationToAll: m.navigation,
            clickToAll: m.click,
          },
        ]),
      ),
      ratioToFloor: natterFirst / floorFirst,
      ratioToFloorLessHarnessReaction: natterMachine / floorFirst,
    },
    cpuPerPerson: { natter: cpuNatter, floor: cpuFloor, ratio: cpuRatio },
    costPerJoin: {
      n2: costs(natter2),
      n4: costs(natter4),
      n8: costs(natter8),
      byType: { n2: natter2[0]?.cost.byType, n4: natter4[0]?.cost.byType, n8: natter8[0]?.cost.byType },
    },
    signaling,
    size: sizes && { home: sizes.home, room: sizes.room, worker },
    noiseSuppression: input.noise,
    backgroundBlur: input.blur,
    notes,
    // A failed run's message carries every page's probe state; enough of it to debug, not a novel.
    failures: failures.map((f) => (f.length > 4000 ? `${f.slice(0, 4000)}…` : f)),
    runs,
    cpuRuns: cpu,
  };
  writeFileSync(
    RESULTS,
    `${JSON.stringify(results, (_key, value) => (value === Number.POSITIVE_INFINITY ? "Infinity" : value), 2)}\n`,
  );
  console.log(`\nWrote ${RESULTS}`);
  if (publish(out.join("\n").trim(), results.date)) console.log(`Updated the latest results in ${BENCHMARKS}`);
}

/**
 * Puts this run's table into BENCHMARKS.md between its markers, so that the published numbers are
 * always the ones in results.json and nobody has to copy them by hand.
 */
function publish(table: string, date: string): boolean {
  if (!existsSync(BENCHMARKS)) return false;
  const text = readFileSync(BENCHMARKS, "utf8");
  const start = text.indexOf(RESULTS_START);
  const end = text.indexOf(RESULTS_END);
  if (start < 0 || end < start) return false;
  const body = `\nFrom \`npm run bench\` on ${date.slice(0, 10)} (all raw runs in \`bench/results.json\`):\n\n\`\`\`text\n${table}\n\`\`\`\n`;
  writeFileSync(BENCHMARKS, text.slice(0, start + RESULTS_START.length) + body + text.slice(end));
  return true;
}

interface MeshRatio {
  natter: number;
  floor: number;
  ratio: number;
}

interface MeshComparison {
  people: number;
  natter: JoinRun[];
  floor: JoinRun[];
  /** Medians of the last person's navigation → frames from all N − 1, natter beside the floor. */
  navigation: MeshRatio;
  /** natter's Join click → frames from all; the floor has no click, so its side is page ready → frames from all. */
  click: MeshRatio;
}

/** For each call size measured (4, 8, and 6 only where it was needed), natter's last person beside the floor's. */
function meshComparison(runs: JoinRun[]): MeshComparison[] {
  const median = (list: JoinRun[], f: (r: JoinRun) => number | null) =>
    summarize(list.map(f).filter((v): v is number => v !== null))?.median ?? Number.NaN;
  const pair = (natter: number, floor: number): MeshRatio => ({ natter, floor, ratio: natter / floor });
  return [4, 8, 6].flatMap((people) => {
    const natter = runs.filter((r) => r.system === "natter" && r.people === people);
    const floor = runs.filter((r) => r.system === "floor" && r.people === people);
    if (people === 6 && natter.length + floor.length === 0) return [];
    const floorAll = median(floor, (r) => r.marks.frameAll);
    return [
      {
        people,
        natter,
        floor,
        navigation: pair(
          median(natter, (r) => r.marks.frameAll),
          floorAll,
        ),
        click: pair(
          median(natter, (r) => (r.marks.click === null ? null : r.marks.frameAll - r.marks.click)),
          median(floor, (r) => r.marks.frameAll - r.marks.ready),
        ),
      },
    ];
  });
}

function meshTable(mesh: MeshComparison[]): string {
  const cell = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : "–").padStart(8);
  const lines = [
    "\nMesh: the last person to join, frames from everyone (medians, ms)",
    `  ${"".padEnd(54)} ${"natter".padStart(8)} ${"floor".padStart(8)}  natter ÷ floor`,
  ];
  for (const m of mesh) {
    const size = `${m.people} people${m.people > 4 ? " (160×120)" : ""}`;
    for (const [label, row] of [
      [`navigation → frames from all ${m.people - 1}`, m.navigation],
      [`Join click → frames from all ${m.people - 1} *`, m.click],
    ] as const) {
      lines.push(
        `  ${`${size}: ${label}`.padEnd(54)} ${cell(row.natter)} ${cell(row.floor)}  ${ratio(row.natter, row.floor)}`,
      );
    }
  }
  lines.push("  * the floor has no Join click: its side is page ready (DOMContentLoaded) → frames from all");
  return lines.join("\n");
}

function ordinal(n: number): string {
  return `${n}${n === 2 ? "nd" : n === 3 ? "rd" : "th"}`;
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "n/a";
}

function atMost(what: string, measured: number, limit: number, unit: string): Target {
  const shown =
    unit === "×" ? `${measured.toFixed(2)}×` : `${measured.toFixed(unit === "ms" && measured < 10 ? 1 : 0)} ${unit}`;
  const ok = Number.isFinite(measured);
  return {
    what,
    target: `≤ ${limit}${unit === "×" ? "×" : ` ${unit}`}`,
    measured: ok ? shown : "no data",
    met: ok ? measured <= limit : null,
    off: ok ? measured / limit : null,
  };
}

function atLeast(what: string, measured: number, limit: number): Target {
  const ok = Number.isFinite(measured);
  return {
    what,
    target: `≥ ${limit}×`,
    measured: ok ? `${measured.toFixed(2)}×` : "no data",
    met: ok ? measured >= limit : null,
    off: ok && measured > 0 ? limit / measured : null,
  };
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`);
    killEverythingStarted();
    process.exit(1);
  },
);
