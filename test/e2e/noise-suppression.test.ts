/**
 * Noise suppression in real Chromium against a real `wrangler dev`, with real sound: every
 * microphone plays test/fixtures/speech-noise.wav (a spoken sentence under steady noise, see
 * scripts/make-speech-noise.mjs), and the other page records what it receives with WebAudio.
 * With suppression off the noise comes through; on, the pauses go quiet while the speech stays.
 * Turning it on or off mid-call swaps the sent track with no new offer, muting still silences,
 * and the denoiser's files come from this origin, only once someone turns it on.
 */
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import {
  joinFromHairCheck,
  MEDIA_TIMEOUT_MS,
  type Person,
  receivedAudioLevel,
  waitForDecodedVideoFrom,
} from "../helpers/browser";
import { useCast } from "../helpers/cast";

const UI_TIMEOUT_MS = 30_000;
const VOICE = fileURLToPath(new URL("../fixtures/speech-noise.wav", import.meta.url));
/** Two loops of the 4.5 s fixture: every percentile sees speech and pauses alike. */
const RECORD_MS = 9_000;
/** Received audio level (getStats) of a page that hears someone. */
const HEARD = 0.003;
/**
 * Silence: a muted microphone reads exactly 0, a muted processed track (WebAudio's) 1/32767, one
 * bit of 16-bit sound (-90 dBFS): Chromium sends its digital silence rather than nothing.
 */
const SILENCE = 0.0001;

interface Response {
  url: string;
  cacheControl: string;
}

const newRoom = () => `noise-${randomBytes(8).toString("hex")}`;

interface Loudness {
  /** The loud blocks (70th to 95th percentile, power average, dBFS): speech. */
  speech: number;
  /** The quiet blocks (5th to 25th percentile, power average, dBFS): the noise in the pauses (a third of the loop). */
  floor: number;
}

/**
 * Records `ms` of the sound `page` receives from `name` (the audio of their tile, through
 * WebAudio) in blocks of 2048 samples (~43 ms), and returns the levels of its loud and quiet
 * blocks. Percentiles, not timings: the loop's phase and the network's jitter do not matter.
 */
async function recordFrom(page: Page, name: string, ms: number): Promise<Loudness> {
  const tile = page.locator('figure[data-testid="remote-tile"]').filter({ hasText: name });
  const levels = await tile.locator("video").evaluate(async (video: HTMLVideoElement, duration: number) => {
    const track = (video.srcObject as MediaStream).getAudioTracks()[0];
    if (!track) throw new Error("no audio track received");
    const context = new AudioContext();
    await context.resume();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    // ScriptProcessorNode hands over every sample, where polling an analyser would depend on timers.
    const recorder = context.createScriptProcessor(2048, 1, 1);
    const silent = context.createGain();
    silent.gain.value = 0;
    const blocks: number[] = [];
    recorder.onaudioprocess = ({ inputBuffer }) => {
      const samples = inputBuffer.getChannelData(0);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      blocks.push(10 * Math.log10(sum / samples.length + 1e-12));
    };
    source.connect(recorder);
    recorder.connect(silent);
    silent.connect(context.destination);
    await new Promise((resolve) => setTimeout(resolve, duration));
    await context.close();
    return blocks;
  }, ms);
  expect(levels.length, "blocks recorded").toBeGreaterThan(50);
  const sorted = [...levels].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? -120;
  // The power average of a band of blocks: a few blocks lost to a starved capture on a loaded
  // machine (silence) or a stray click do not decide it, as they would a single percentile.
  const band = (from: number, to: number) => {
    const blocks = sorted.slice(Math.floor(from * sorted.length), Math.ceil(to * sorted.length));
    return 10 * Math.log10(blocks.reduce((sum, db) => sum + 10 ** (db / 10), 0) / blocks.length);
  };
  console.log(`levels p10..p90: ${[0.1, 0.25, 0.5, 0.75, 0.9].map((q) => at(q).toFixed(1)).join(" ")}`);
  return { speech: band(0.7, 0.95), floor: band(0.05, 0.25) };
}

/** The track Ada's connections send as audio (label and id), and how often any of them negotiated. */
function sentAudio(page: Page): Promise<{ labels: string[]; ids: string[]; negotiations: number }> {
  return page.evaluate(() => {
    const list = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
    const open = list.filter((pc) => pc.connectionState !== "closed");
    const tracks = open.map((pc) => pc.getSenders().find((s) => s.track?.kind === "audio")?.track ?? null);
    const counted = window as unknown as { __e2eNegotiations?: number };
    return {
      labels: tracks.map((track) => track?.label ?? ""),
      ids: tracks.map((track) => track?.id ?? ""),
      negotiations: counted.__e2eNegotiations ?? 0,
    };
  });
}

/** From now on, counts every change of signalling state on Ada's connections: an offer either way makes one. */
function countNegotiations(page: Page): Promise<void> {
  return page.evaluate(() => {
    const counted = window as unknown as { __e2eNegotiations: number; __e2ePeerConnections: RTCPeerConnection[] };
    counted.__e2eNegotiations = 0;
    for (const pc of counted.__e2ePeerConnections)
      pc.addEventListener("signalingstatechange", () => {
        counted.__e2eNegotiations += 1;
      });
  });
}

async function setSuppression(page: Page, on: boolean): Promise<void> {
  await page.getByRole("button", { name: "Settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  const box = dialog.getByRole("checkbox", { name: "Noise suppression" });
  await box.setChecked(on);
  // "Starting…" while the denoiser loads; the plain hint once it runs (or once it is off).
  await dialog.getByText("Takes keyboard, fan and street noise out of your voice").waitFor({ timeout: UI_TIMEOUT_MS });
  await dialog.getByRole("button", { name: "Done" }).click();
}

describe.skipIf(inject("e2eSkip"))("Noise suppression with real sound", () => {
  const cast = useCast({ label: "noise", voiceFile: VOICE, camera: "small" });

  /** Ada (whose page's responses `fetched` lists from the first one on) and Bob, hearing each other. */
  async function callOfTwo(fetched: Response[] = []): Promise<{ ada: Person; bob: Person }> {
    const room = newRoom();
    const ada = await cast.person("Ada", { rememberName: true });
    ada.page.on("response", (response) => {
      fetched.push({ url: response.url(), cacheControl: response.headers()["cache-control"] ?? "" });
    });
    await ada.page.goto(`/${room}`);
    await joinFromHairCheck(ada.page);
    await ada.page.getByTestId("self-tile").waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
    const bob = await cast.arrive(room, "Bob", { rememberName: true });
    await waitForDecodedVideoFrom(bob.page, 1);
    await expect
      .poll(() => receivedAudioLevel(bob.page), { timeout: MEDIA_TIMEOUT_MS, message: "Bob hears Ada" })
      .toBeGreaterThan(HEARD);
    return { ada, bob };
  }

  it("on, the noise in the pauses drops by 10 dB or more against the speech, which stays", async () => {
    const { ada, bob } = await callOfTwo();
    const off = await recordFrom(bob.page, "Ada", RECORD_MS);
    await setSuppression(ada.page, true);
    const on = await recordFrom(bob.page, "Ada", RECORD_MS);
    const snr = (l: Loudness) => l.speech - l.floor;
    console.log(
      `noise suppression, received by Bob (dBFS): off speech ${off.speech.toFixed(1)} floor ${off.floor.toFixed(1)}` +
        ` SNR ${snr(off).toFixed(1)} dB; on speech ${on.speech.toFixed(1)} floor ${on.floor.toFixed(1)} SNR ${snr(on).toFixed(1)} dB`,
    );
    expect(snr(on) - snr(off), "SNR gained with suppression on (dB)").toBeGreaterThanOrEqual(10);
    expect(off.floor - on.floor, "noise floor dropped (dB)").toBeGreaterThanOrEqual(10);
    expect(on.speech, "the speech stays (within 6 dB)").toBeGreaterThan(off.speech - 6);
  }, 180_000);

  it("switching mid-call swaps the sent track with no new offer; muting still silences", async () => {
    const responses: Response[] = [];
    const { ada, bob } = await callOfTwo(responses);
    const before = await sentAudio(ada.page);
    await countNegotiations(ada.page);
    const denoiser = () => responses.filter(({ url }) => /worklet|\.wasm|pipeline/i.test(url));
    expect(denoiser(), "nothing of the denoiser before it is turned on").toEqual([]);

    await setSuppression(ada.page, true);
    await expect.poll(async () => (await sentAudio(ada.page)).ids, { timeout: UI_TIMEOUT_MS }).not.toEqual(before.ids);
    const on = await sentAudio(ada.page);
    expect(on.labels, "the processed track, not the microphone").not.toContain(before.labels[0]);
    // Fetched now, from this origin, as hashed /assets/ files the browser may keep for good.
    const origin = new URL(ada.page.url()).origin;
    const files = denoiser().map(({ url }) => new URL(url).pathname);
    expect(
      files.filter((path) => path.endsWith(".wasm")),
      "one wasm (SIMD or not)",
    ).toHaveLength(1);
    expect(
      files.some((path) => /\/assets\/pipeline-[\w-]+\.js$/.test(path)),
      "the lazy chunk",
    ).toBe(true);
    for (const { url, cacheControl } of denoiser()) {
      expect(url.startsWith(`${origin}/assets/`), url).toBe(true);
      expect(cacheControl, url).toContain("immutable");
    }
    // The worklet's module is fetched by the audio thread, out of Playwright's sight: its file is
    // in the build's /assets/ and served alike.
    const worklet = readdirSync(fileURLToPath(new URL("../../dist/assets/", import.meta.url))).find((name) =>
      name.startsWith("workletProcessor-"),
    );
    const served = await ada.page.request.get(`/assets/${worklet}`);
    expect(served.ok()).toBe(true);
    expect(served.headers()["cache-control"]).toContain("immutable");
    await expect
      .poll(() => receivedAudioLevel(bob.page), { timeout: UI_TIMEOUT_MS, message: "on: Bob hears Ada" })
      .toBeGreaterThan(HEARD);

    // Muting disables the processed track that is sent: silence, and back.
    await ada.page.getByRole("button", { name: "Mute microphone" }).click();
    await expect
      .poll(() => receivedAudioLevel(bob.page), { timeout: UI_TIMEOUT_MS, message: "muted: silence" })
      .toBeLessThan(SILENCE);
    await ada.page.getByRole("button", { name: "Unmute microphone" }).click();
    await expect
      .poll(() => receivedAudioLevel(bob.page), { timeout: UI_TIMEOUT_MS, message: "unmuted: heard" })
      .toBeGreaterThan(HEARD);
    // Ada's own speaking bars follow the processed sound.
    await ada.page.locator('[data-testid="self-tile"] .tile__speaking i').first().waitFor({ timeout: UI_TIMEOUT_MS });

    await setSuppression(ada.page, false);
    await expect
      .poll(async () => (await sentAudio(ada.page)).ids, {
        timeout: UI_TIMEOUT_MS,
        message: "off: the microphone again",
      })
      .toEqual(before.ids);
    await expect
      .poll(() => receivedAudioLevel(bob.page), { timeout: UI_TIMEOUT_MS, message: "off: Bob hears Ada" })
      .toBeGreaterThan(HEARD);
    expect((await sentAudio(ada.page)).negotiations, "no offer or answer on either side").toBe(0);
  }, 180_000);

  it("the hair check's switch is remembered, and its mic meter moves on the processed sound", async () => {
    const ada = await cast.person("Ada");
    await ada.page.goto(`/${newRoom()}`);
    const box = ada.page.getByRole("checkbox", { name: "Noise suppression" });
    await box.check();
    await ada.page
      .getByText("Takes keyboard, fan and street noise out of your voice")
      .waitFor({ timeout: UI_TIMEOUT_MS });
    const meter = ada.page.getByRole("meter", { name: "Microphone level" });
    const readings = new Set<string>();
    await expect
      .poll(
        async () => {
          readings.add((await meter.getAttribute("aria-valuenow")) ?? "0");
          return [...readings].filter((value) => value !== "0").length;
        },
        { timeout: UI_TIMEOUT_MS, message: "the meter moves" },
      )
      .toBeGreaterThan(2);

    await ada.page.reload();
    await expect.poll(() => box.isChecked(), { timeout: UI_TIMEOUT_MS }).toBe(true);
  }, 120_000);
});
