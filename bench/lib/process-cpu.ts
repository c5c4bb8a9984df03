/**
 * CPU time of the bench's own Chromium, from Linux /proc: the browser process and everything under
 * it (renderers, the GPU and utility processes, the zygote), so that "CPU per person" counts
 * encode, decode, capture and compositing wherever Chromium put them. Found as this Node process's
 * child, because playwright-core spawns the browser directly and exposes no process id for it.
 * Like tooling/wrangler.ts's group CPU time, but by parentage: Chromium's helpers are its children.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Kernel clock ticks per second in /proc/<pid>/stat; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

interface Proc {
  pid: number;
  ppid: number;
  name: string;
  /** utime + stime, in ticks: the process's own CPU time, not its reaped children's. */
  ticks: number;
}

function table(): Proc[] {
  const procs: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After the ")" that ends the name: state, ppid, pgrp, …; utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      procs.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // Gone while we looked.
    }
  }
  return procs;
}

/** The Chromium this process launched (its only child named like one); throws when there is not exactly one. */
export function ownChromium(): number {
  const found = table().filter((p) => p.ppid === process.pid && /chrom/i.test(p.name));
  if (found.length !== 1) {
    throw new Error(`expected one Chromium started by this process, found ${found.length} (Linux /proc needed)`);
  }
  return found[0]!.pid;
}

/** User + system CPU seconds of `root` and all its living descendants. */
export function treeCpuSeconds(root: number): number {
  const procs = table();
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  let ticks = 0;
  const pending = procs.filter((p) => p.pid === root);
  for (let p = pending.pop(); p; p = pending.pop()) {
    ticks += p.ticks;
    pending.push(...(children.get(p.pid) ?? []));
  }
  return ticks / TICKS_PER_SECOND;
}
