/**
 * Whether noise suppression is on, remembered on this device. Its own tiny module, free of the
 * denoiser, so the switch and the engine can read it without loading the WebAssembly.
 */
import { readSetting, writeSetting } from "../../../services/storage";

const NOISE_KEY = "natter:noise-suppression";

/** Off unless this device turned it on: the browser's own processing is the default. */
export function loadNoisePreference(): boolean {
  return readSetting(NOISE_KEY) === "on";
}

export function saveNoisePreference(on: boolean): void {
  writeSetting(NOISE_KEY, on ? "on" : "off");
}
