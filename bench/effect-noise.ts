/**
 * What noise suppression costs (issue 17): the bytes someone downloads the first time they turn it
 * on (its lazy chunk, the worklet and the wasm, gzip), the time from the click on the switch to the
 * first processed audio block leaving the page, and the CPU it adds to a call of two. The
 * microphone plays test/fixtures/speech-noise.wav (speech under typing), so there is always sound
 * to process; the CPU is the bench Chromium's whole process tree, suppression off and on in
 * alternating windows, so a burst of load from elsewhere hits both alike.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM_ARGS } from "../tooling/chromium-args";
import { fakeMicrophoneArgs } from "../tooling/steady-voice";
import { delay } from "../tooling/wrangler";
import { enter, newCallUrl, newPerson, type Person, waitForDecoding } from "./join";
import { ownChromium, treeCpuSeconds } from "./lib/process-cpu";

const WINDOW_MS = 5_000;
const WINDOWS_EACH = 3;
const STEP_TIMEOUT_MS = 60_000;

export interface NoiseBench {
  /** gzip bytes of what the first switch-on fetches (Chromium has SIMD, so the SIMD wasm). */
  download: { chunk: number; worklet: number; wasm: number; total: number; wasmWithoutSimd: number };
  /** Click on the switch → the processed track handed to the sender, and → its first non-silent block. */
  firstOn: Timing;
  /** The same when turned on again in the same page (wasm kept in memory, files in the HTTP cache). */
  againOn: Timing;
  /** % of one core, whole Chromium tree, two people in a call; each window's reading. */
  cpu: { off: number[]; on: number[]; windowMs: number };
}

export interface Timing {
  swapMs: number | null;
  firstBlockMs: number | null;
}

/**
 * Runs in Ada's page before the app: times the click on the switch, every audio track handed to a
 * sender, and the first block of that track that is not silence (a ScriptProcessorNode of 256
 * samples, ~5 ms, so the reading's own delay is small against what it measures).
 */
function noiseProbe(): void {
  const w = window as unknown as { __noise?: NoiseProbe };
  if (w.__noise) return;
  const state: NoiseProbe = { clickAt: null, swapAt: null, firstBlockAt: null };
  w.__noise = state;
  document.addEventListener(
    "click",
    (event) => {
      const target = event.target as HTMLElement | null;
      if (target instanceof HTMLInputElement && target.type === "checkbox") state.clickAt = performance.now();
    },
    true,
  );
  const native = RTCRtpSender.prototype.replaceTrack;
  RTCRtpSender.prototype.replaceTrack = function (this: RTCRtpSender, track: MediaStreamTrack | null) {
    if (track?.kind === "audio" && state.clickAt !== null && state.swapAt === null) {
      state.swapAt = performance.now();
      const context = new AudioContext();
      const source = context.createMediaStreamSource(new MediaStream([track]));
      const reader = context.createScriptProcessor(256, 1, 1);
      reader.onaudioprocess = ({ inputBuffer }) => {
        if (state.firstBlockAt !== null) return;
        if (inputBuffer.getChannelData(0).some((sample) => Math.abs(sample) > 1e-4)) {
          state.firstBlockAt = performance.now();
          void context.close();
        }
      };
      source.connect(reader);
      reader.connect(context.destination);
    }
    return native.call(this, track);
  };
}

interface NoiseProbe {
  clickAt: number | null;
  swapAt: number | null;
  firstBlockAt: number | null;
}

/** gzip bytes of the denoiser's files in the build (found by the names Vite gives them). */
export function noiseDownload(dist: string): NoiseBench["download"] {
  const assets = join(dist, "assets");
  const names = readdirSync(assets);
  const size = (pattern: RegExp) => {
    const name = names.find((n) => pattern.test(n));
    return name ? gzipSync(readFileSync(join(assets, name))).byteLength : Number.NaN;
  };
  const chunk = size(/^pipeline-[\w-]+\.js$/);
  const worklet = size(/^workletProcessor-[\w-]+\.js$/);
  const wasm = size(/^rnnoise_simd-[\w-]+\.wasm$/);
  return { chunk, worklet, wasm, total: chunk + worklet + wasm, wasmWithoutSimd: size(/^rnnoise-[\w-]+\.wasm$/) };
}

export async function runNoiseBench(options: {
  chromiumPath: string;
  baseUrl: string;
  dist: string;
  voiceFile: string;
}): Promise<NoiseBench> {
  const download = noiseDownload(options.dist);
  const browser: Browser = await chromium.launch({
    executablePath: options.chromiumPath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...fakeMicrophoneArgs(options.voiceFile)],
  });
  const people: Person[] = [];
  try {
    const url = newCallUrl("natter", options.baseUrl);
    for (let i = 0; i < 2; i++) {
      const person = await newPerson(browser, true, STEP_TIMEOUT_MS);
      if (i === 0) await person.context.addInitScript(noiseProbe);
      people.push(person);
      await enter(person, url, "natter");
      await waitForDecoding(person, i);
    }
    const [ada, bob] = people as [Person, Person];
    await waitForDecoding(ada, 1);
    await waitForDecoding(bob, 1);

    const firstOn = await switchOn(ada.page);
    await setSwitch(ada.page, false);
    const againOn = await switchOn(ada.page);

    const chromiumPid = ownChromium();
    const cpu = { off: [] as number[], on: [] as number[], windowMs: WINDOW_MS };
    for (let i = 0; i < WINDOWS_EACH; i++) {
      for (const on of [false, true]) {
        await setSwitch(ada.page, on);
        await delay(1_000);
        const before = treeCpuSeconds(chromiumPid);
        const start = performance.now();
        await delay(WINDOW_MS);
        const seconds = (performance.now() - start) / 1000;
        cpu[on ? "on" : "off"].push(((treeCpuSeconds(chromiumPid) - before) / seconds) * 100);
      }
    }
    return { download, firstOn, againOn, cpu };
  } finally {
    await browser.close().catch(() => {});
  }
}

/** Turns the switch on in settings and reads the probe's marks once the processed sound flows. */
async function switchOn(page: Page): Promise<Timing> {
  await page.evaluate(() => {
    const probe = (window as unknown as { __noise: NoiseProbe }).__noise;
    probe.clickAt = null;
    probe.swapAt = null;
    probe.firstBlockAt = null;
  });
  await setSwitch(page, true);
  await page
    .waitForFunction(() => (window as unknown as { __noise: NoiseProbe }).__noise.firstBlockAt !== null, null, {
      polling: 50,
      timeout: STEP_TIMEOUT_MS,
    })
    .catch(() => {});
  return page.evaluate(() => {
    const { clickAt, swapAt, firstBlockAt } = (window as unknown as { __noise: NoiseProbe }).__noise;
    const since = (at: number | null) => (at === null || clickAt === null ? null : at - clickAt);
    return { swapMs: since(swapAt), firstBlockMs: since(firstBlockAt) };
  });
}

async function setSwitch(page: Page, on: boolean): Promise<void> {
  await page.getByRole("button", { name: "Settings" }).click({ timeout: STEP_TIMEOUT_MS });
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.getByRole("checkbox", { name: "Noise suppression" }).setChecked(on, { timeout: STEP_TIMEOUT_MS });
  // Only once it runs (or is off) does the note say what the switch does.
  await dialog.getByText(/^Takes keyboard/).waitFor({ timeout: STEP_TIMEOUT_MS });
  await dialog.getByRole("button", { name: "Done" }).click({ timeout: STEP_TIMEOUT_MS });
}

export interface NoiseOutcome {
  result: NoiseBench | null;
  failure: string | null;
}

/** runNoiseBench, its failure a line of the report rather than the end of the bench. */
export async function measureNoise(options: Parameters<typeof runNoiseBench>[0]): Promise<NoiseOutcome> {
  try {
    return { result: await runNoiseBench(options), failure: null };
  } catch (error) {
    return { result: null, failure: (error as Error).message.split("\n")[0] ?? "failed" };
  }
}

/** The bench's printed lines for noise suppression. */
export function noiseLines({ result, failure }: NoiseOutcome): string {
  const lines = ["\nNoise suppression (RNNoise in an AudioWorklet; issue 17)"];
  if (!result) return [...lines, `  not measured: ${failure ?? "skipped"}`].join("\n");
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  const ms = (value: number | null) => (value === null ? "never" : `${value.toFixed(0)} ms`);
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? Number.NaN;
  const { download: d, firstOn, againOn, cpu } = result;
  const off = median(cpu.off);
  const on = median(cpu.on);
  lines.push(
    `  download on first switch-on (gzip)   ${kb(d.total)}  (chunk ${kb(d.chunk)}, worklet ${kb(d.worklet)}, wasm ${kb(d.wasm)}; without SIMD the wasm is ${kb(d.wasmWithoutSimd)})`,
    `  switch on → processed track sent     ${ms(firstOn.swapMs)} the first time, ${ms(againOn.swapMs)} again`,
    `  switch on → first processed block    ${ms(firstOn.firstBlockMs)} the first time, ${ms(againOn.firstBlockMs)} again`,
    `  CPU, call of 2, whole Chromium       off ${off.toFixed(1)}%, on ${on.toFixed(1)}% of a core (medians of ${cpu.off.length} ${cpu.windowMs / 1000} s windows each): +${(on - off).toFixed(1)} points per second of call`,
  );
  return lines.join("\n");
}
