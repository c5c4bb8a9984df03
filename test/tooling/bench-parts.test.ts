/**
 * `npm run bench -- --only …`: which parts a command line runs, and the error a mistyped one gets
 * (from the parser, and from the bench itself, which must stop before it builds or starts anything).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BENCH_PARTS, BenchArgsError, parseBenchArgs } from "../../bench/parts";

describe("parseBenchArgs", () => {
  it("runs every part, and writes the results, without arguments", () => {
    expect(parseBenchArgs([])).toEqual({ parts: [...BENCH_PARTS], complete: true });
  });

  it("runs only the parts --only names, in the bench's order, and writes nothing", () => {
    expect(parseBenchArgs(["--only", "cpu,join"])).toEqual({ parts: ["join", "cpu"], complete: false });
    expect(parseBenchArgs(["--only=blur"])).toEqual({ parts: ["blur"], complete: false });
    expect(parseBenchArgs(["--only", " signaling , size "])).toEqual({ parts: ["size", "signaling"], complete: false });
    expect(parseBenchArgs(["--only", "noise", "--only", "size,noise"])).toEqual({
      parts: ["size", "noise"],
      complete: false,
    });
  });

  it("counts a run that names every part as a whole run", () => {
    expect(parseBenchArgs(["--only", [...BENCH_PARTS].reverse().join(",")])).toEqual({
      parts: [...BENCH_PARTS],
      complete: true,
    });
  });

  it("refuses an unknown part, naming it and listing the valid ones", () => {
    expect(() => parseBenchArgs(["--only", "cpu,jion"])).toThrow(BenchArgsError);
    expect(() => parseBenchArgs(["--only", "cpu,jion"])).toThrow(
      'unknown part "jion" in --only; the parts are: size, join, cpu, noise, blur, signaling',
    );
    expect(() => parseBenchArgs(["--only", "cpu,"])).toThrow('unknown part "" in --only');
  });

  it("refuses --only without a list, and any other argument", () => {
    for (const args of [["--only"], ["--only", ""], ["--only", "--fast"], ["--only="]])
      expect(() => parseBenchArgs(args), args.join(" ")).toThrow("--only needs a comma-separated list of parts");
    expect(() => parseBenchArgs(["cpu"])).toThrow('unknown argument "cpu"');
    expect(() => parseBenchArgs(["--only", "cpu", "--fast"])).toThrow('unknown argument "--fast"');
  });
});

describe("the bench with a mistyped part", () => {
  const dir = mkdtempSync(join(tmpdir(), "natter-bench-args-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exits with status 2 and the list of parts before it starts anything", () => {
    // Bundled as `npm run bench` bundles it (packages stay imports, found through node_modules),
    // then run in a directory with no wrangler.toml and no build: had it gone past the arguments,
    // its first check would fail there, with another message and status.
    symlinkSync(resolve("node_modules"), join(dir, "node_modules"));
    const bundle = join(dir, "run.mjs");
    const esbuild = spawnSync(
      join("node_modules", ".bin", "esbuild"),
      ["bench/run.ts", "--bundle", "--platform=node", "--format=esm", "--packages=external", `--outfile=${bundle}`],
      { encoding: "utf8" },
    );
    expect(esbuild.status, esbuild.stderr).toBe(0);
    const run = spawnSync(process.execPath, [bundle, "--only", "cpu,jion"], { cwd: dir, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('bench: unknown part "jion" in --only; the parts are: size, join, cpu, noise, blur');
    expect(run.stderr).toContain("usage: npm run bench [-- --only PART[,PART…]]");
    expect(run.stdout).toBe("");
  });
});
