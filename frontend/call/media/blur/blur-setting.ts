/**
 * Whether this device wants its background blurred, remembered like the other preferences, and
 * whether this browser can do it at all. Small and free of the blur engine on purpose: the switch
 * and LocalMedia read it on every page, while the engine (segmenter, model, wasm) loads only the
 * first time someone turns blur on (see blurred-camera.ts).
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import { readSetting, writeSetting } from "../../../services/storage";
import { blurPath } from "./blur-output";

const BLUR_KEY = "natter:blur";

/** Why blur is not running although it was asked for; null when all is well. */
export type BlurProblem = "failed" | null;

const wanted = signal(readSetting(BLUR_KEY) === "on");
const problem = signal<BlurProblem>(null);

/** The person's wish; the camera is blurred while this is on and the camera runs. */
export const blurWanted: ReadonlySignal<boolean> = wanted;
export const blurProblem: ReadonlySignal<BlurProblem> = problem;

export function setBlurWanted(on: boolean): void {
  wanted.value = on;
  problem.value = null;
  writeSetting(BLUR_KEY, on ? "on" : "off");
}

/** The engine could not start here: blur is off for this visit, and the switch says why. */
export function blurFailed(): void {
  wanted.value = false;
  problem.value = "failed";
}

/**
 * Whether this browser can blur one way or another (blur-output.ts): with insertable streams, or
 * with the canvas fallback; a browser with neither gets no switch.
 */
export function blurSupported(): boolean {
  return blurPath() !== null;
}
