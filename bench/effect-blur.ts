/**
 * What background blur costs: the bytes fetched the first time someone turns it on (the engine's
 * chunk, the segmentation wasm and its loader, the model, gzip), the time from the switch to the
 * first blurred frame in the preview (cold: nothing cached; warm: the files in the HTTP cache, as
 * on a second visit), the preview's frame rate at 640×360 with blur on and off, and the CPU that
 * blur adds: the Chromium tree's CPU over equal windows with blur on and off, interleaved, on the
 * hair check (the preview draws the same either way, so the difference is the blur).
 *
 * Its own Chromium, with a 640×360 camera file made here: Chromium's fake camera would pick its
 * own size, and the CPU is read from the one Chromium this process runs (lib/process-cpu.ts).
 * Its microphone is the steady voice the other benches use (tooling/steady-voice.ts), not
 * Chromium's beep. The hair check's microphone meter redraws whenever the smoothed level moves by a
 * whole decibel (services/audio-level.ts): a steady voice settles and leaves it still, but a beep
 * every half second makes the level jump and decay without end, so the meter would redraw about ten
 * times a second through every CPU window. That is work no blur causes, in the "off" figure as much
 * as the "on" one, and one the other benches' figures (taken with the steady voice) do not contain.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM_ARGS } from "../tooling/chromium-args";
import { fakeMicrophoneArgs } from "../tooling/steady-voice";
import { delay } from "../tooling/wrangler";
import { ownChromium, treeCpuSeconds } from "./lib/process-cpu";

const WIDTH = 640;
const HEIGHT = 360;
const STEP_TIMEOUT_MS = 60_000;
const FPS_WINDOW_MS = 5_000;
const CPU_WINDOW_MS = 5_000;
/** Windows per state (on, off), interleaved. */
const CPU_WINDOWS = 2;
const SWITCH = "Blur my background";

export interface BlurBench {
  /** Every file fetched by turning blur on the first time, gzip bytes. */
  files: { path: string; gzip: number }[];
  downloadGzip: number;
  /** Switch → first blurred frame shown, ms. */
  firstFrameColdMs: number;
  firstFrameWarmMs: number;
  /** Frames the preview showed per second, and at what size. */
  fpsOn: number;
  fpsOff: number;
  size: string;
  /** % of one core, the Chromium tree, averaged over the windows. */
  cpuOnPercent: number;
  cpuOffPercent: number;
  /** cpuOn − cpuOff: what blur costs per second of call. */
  cpuCostPercent: number;
}

/** A still 640×360 camera: a gradient with a bright disc, so the picture is not flat. */
function cameraFile(): string {
  const y = Buffer.alloc(WIDTH * HEIGHT);
  for (let row = 0; row < HEIGHT; row++)
    for (let col = 0; col < WIDTH; col++) {
      const inDisc = (col - WIDTH / 2) ** 2 + (row - HEIGHT / 2) ** 2 < 120 ** 2;
      y[row * WIDTH + col] = inDisc ? 200 : 40 + Math.round((col / WIDTH) * 120);
    }
  const chroma = Buffer.alloc((WIDTH * HEIGHT) / 2, 128);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F30:1 Ip A1:1 C420jpeg\nFRAME\n`);
  const path = join(tmpdir(), "natter-bench-camera-640x360.y4m");
  writeFileSync(path, Buffer.concat([header, y, chroma]));
  return path;
}

/** In the page: clicks the switch and resolves with the ms until the preview shows a frame of the blur's track. */
function switchToFirstFrame(name: string): Promise<number> {
  const box = [...document.querySelectorAll<HTMLInputElement>("input[type=checkbox]")].find((input) =>
    input.closest("label")?.textContent?.includes(name),
  );
  if (!box) throw new Error(`no "${name}" switch`);
  const started = performance.now();
  box.click();
  return new Promise((resolve) => {
    const look = () => {
      const video = document.querySelector<HTMLVideoElement>('[data-testid="preview"] video');
      const track = video?.srcObject instanceof MediaStream ? video.srcObject.getVideoTracks()[0] : undefined;
      const Generator = (globalThis as { MediaStreamTrackGenerator?: new () => unknown }).MediaStreamTrackGenerator;
      if (video && Generator && track instanceof Generator) {
        video.requestVideoFrameCallback(() => resolve(performance.now() - started));
      } else requestAnimationFrame(look);
    };
    look();
  });
}

/** In the page: frames the preview presents over `ms`, per second, and its size. */
function previewRate(ms: number): Promise<{ fps: number; size: string }> {
  const video = document.querySelector<HTMLVideoElement>('[data-testid="preview"] video');
  if (!video) throw new Error("no preview");
  return new Promise((resolve) => {
    let frames = 0;
    const count = () => {
      frames += 1;
      video.requestVideoFrameCallback(count);
    };
    video.requestVideoFrameCallback(count);
    setTimeout(() => resolve({ fps: (frames * 1000) / ms, size: `${video.videoWidth}×${video.videoHeight}` }), ms);
  });
}

async function setBlur(page: Page, on: boolean): Promise<void> {
  const box = page.getByRole("checkbox", { name: SWITCH });
  if (on) await box.check({ timeout: STEP_TIMEOUT_MS });
  else await box.uncheck({ timeout: STEP_TIMEOUT_MS });
}

async function hairCheck(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  const page = await context.newPage();
  await page.goto(url, { timeout: STEP_TIMEOUT_MS });
  await page.locator('[data-testid="preview"] video').waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.getByRole("checkbox", { name: SWITCH }).waitFor({ timeout: STEP_TIMEOUT_MS });
  return page;
}

export async function runBlurBench(executablePath: string, baseUrl: string): Promise<BlurBench> {
  const camera = cameraFile();
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...fakeMicrophoneArgs(), `--use-file-for-fake-video-capture=${camera}`],
  });
  try {
    const url = `${baseUrl}/bench-blur-${randomBytes(4).toString("hex")}`;
    const page = await hairCheck(browser, url);
    const bodies: Promise<{ path: string; gzip: number }>[] = [];
    page.on("response", (response) => {
      const { pathname } = new URL(response.url());
      bodies.push(response.body().then((body) => ({ path: pathname, gzip: gzipSync(body).byteLength })));
    });
    const firstFrameColdMs = await page.evaluate(switchToFirstFrame, SWITCH);
    const files = await Promise.all(bodies);
    const { fps: fpsOn, size } = await page.evaluate(previewRate, FPS_WINDOW_MS);
    await setBlur(page, false);
    const { fps: fpsOff } = await page.evaluate(previewRate, FPS_WINDOW_MS);

    const process = ownChromium();
    const cpu = { on: [] as number[], off: [] as number[] };
    for (let i = 0; i < CPU_WINDOWS; i++) {
      for (const on of [true, false]) {
        await setBlur(page, on);
        await delay(1_000);
        const before = treeCpuSeconds(process);
        const start = performance.now();
        await delay(CPU_WINDOW_MS);
        cpu[on ? "on" : "off"].push(((treeCpuSeconds(process) - before) / ((performance.now() - start) / 1000)) * 100);
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

    // A second visit (same browser profile): the files come from the HTTP cache, the wasm is compiled again.
    await page.close();
    const again = await page.context().newPage();
    await again.goto(url, { timeout: STEP_TIMEOUT_MS });
    await again.getByRole("checkbox", { name: SWITCH }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await again.locator('[data-testid="preview"] video').waitFor({ timeout: STEP_TIMEOUT_MS });
    const firstFrameWarmMs = await again.evaluate(switchToFirstFrame, SWITCH);
    return {
      files,
      downloadGzip: files.reduce((total, file) => total + file.gzip, 0),
      firstFrameColdMs,
      firstFrameWarmMs,
      fpsOn,
      fpsOff,
      size,
      cpuOnPercent: mean(cpu.on),
      cpuOffPercent: mean(cpu.off),
      cpuCostPercent: mean(cpu.on) - mean(cpu.off),
    };
  } finally {
    await browser.close().catch(() => {});
  }
}

export interface BlurOutcome {
  result: BlurBench | null;
  failure: string | null;
  /** The 1-minute load average before and after: the busy machine is part of the numbers. */
  load: { start: number; end: number };
}

/** runBlurBench, its failure a line of the report rather than the end of the bench. */
export async function measureBlur(executablePath: string, baseUrl: string): Promise<BlurOutcome> {
  const start = loadavg()[0] ?? 0;
  try {
    const result = await runBlurBench(executablePath, baseUrl);
    return { result, failure: null, load: { start, end: loadavg()[0] ?? 0 } };
  } catch (error) {
    const failure = (error as Error).message.split("\n")[0] ?? "failed";
    return { result: null, failure, load: { start, end: loadavg()[0] ?? 0 } };
  }
}

/** The bench's printed lines for background blur. */
export function blurLines({ result, failure, load }: BlurOutcome): string {
  const lines = [
    `\nBackground blur (selfie segmentation in wasm; issue 17; load average ${load.start.toFixed(2)} at the start, ${load.end.toFixed(2)} at the end)`,
  ];
  if (!result) return [...lines, `  not measured: ${failure ?? "skipped"}`].join("\n");
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  lines.push(
    `  download, first time on     ${kb(result.downloadGzip).padStart(10)} gzip  (${result.files.map((f) => `${f.path.split("/").pop()} ${kb(f.gzip)}`).join(", ")})`,
    `  switch → first blurred frame  cold ${result.firstFrameColdMs.toFixed(0)} ms, warm (HTTP cache) ${result.firstFrameWarmMs.toFixed(0)} ms`,
    `  preview frame rate          ${result.fpsOn.toFixed(1)} fps with blur at ${result.size}, ${result.fpsOff.toFixed(1)} fps without`,
    `  CPU, whole Chromium         ${result.cpuOnPercent.toFixed(1)}% of a core with blur, ${result.cpuOffPercent.toFixed(1)}% without: blur costs ${result.cpuCostPercent.toFixed(1)}% of a core per second of call`,
  );
  return lines.join("\n");
}
