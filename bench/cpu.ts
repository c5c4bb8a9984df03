/**
 * CPU per person in a call: everyone joins (each waiting to decode everyone before them), the call
 * settles, then the bench reads how much CPU the whole Chromium process tree used over a fixed
 * window. Divided by the people and the window, it is "CPU per person, % of one core": capture,
 * encode, decode and drawing for one person's share of the call. The same harness runs natter and
 * the floor, at the same small resolution, so the ratio is natter's own overhead.
 */
import type { Browser } from "playwright-core";
import { delay } from "../tooling/wrangler";
import { describe, enter, newCallUrl, newPerson, type Person, type System, waitForDecoding } from "./join";
import { ownChromium, treeCpuSeconds } from "./lib/process-cpu";

/** After everyone decodes everyone: the last ICE candidates, natter's on-demand chunk and the encoders' ramp-up. */
const SETTLE_MS = 2_000;
const WINDOW_MS = 5_000;

export interface CpuOptions {
  system: System;
  baseUrl: string;
  people: number;
  /** Per step (open, join, decode). */
  stepTimeoutMs: number;
  /** The whole run, after which every page is closed and the run fails. */
  runTimeoutMs?: number;
}

export interface CpuRun {
  system: System;
  people: number;
  /** Always 160×120 at 10 fps in 480×360 windows (the probe's small video), for both systems. */
  smallVideo: true;
  windowSeconds: number;
  /** CPU seconds the whole Chromium tree used in the window. */
  cpuSeconds: number;
  /** cpuSeconds ÷ windowSeconds ÷ people × 100. */
  perPersonPercent: number;
}

export async function runCpu(browser: Browser, options: CpuOptions): Promise<CpuRun> {
  const { system, people: count, stepTimeoutMs } = options;
  const chromium = ownChromium();
  const url = newCallUrl(system, options.baseUrl);
  const people: Person[] = [];
  let expired = false;
  const cap = options.runTimeoutMs
    ? setTimeout(() => {
        expired = true;
        for (const person of people) void person.context.close().catch(() => {});
      }, options.runTimeoutMs)
    : undefined;
  try {
    for (let i = 0; i < count; i++) {
      if (expired) throw new Error("out of time");
      const person = await newPerson(browser, true, stepTimeoutMs);
      people.push(person);
      await enter(person, url, system);
      await waitForDecoding(person, i);
    }
    await Promise.all(people.map((person) => waitForDecoding(person, count - 1)));
    await delay(SETTLE_MS);
    const before = treeCpuSeconds(chromium);
    const start = performance.now();
    await delay(WINDOW_MS);
    const cpuSeconds = treeCpuSeconds(chromium) - before;
    const windowSeconds = (performance.now() - start) / 1000;
    if (expired) throw new Error("out of time");
    return {
      system,
      people: count,
      smallVideo: true,
      windowSeconds,
      cpuSeconds,
      perPersonPercent: (cpuSeconds / windowSeconds / count) * 100,
    };
  } catch (error) {
    if (expired) throw new Error(`stopped after ${options.runTimeoutMs! / 1000} s`);
    throw new Error(`${(error as Error).message.split("\n")[0]}\n${await describe(people)}`);
  } finally {
    clearTimeout(cap);
    await Promise.all(people.map((person) => person.context.close().catch(() => {})));
  }
}
