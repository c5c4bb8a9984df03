import { type ReadonlySignal, signal } from "@preact/signals-core";
import { audioContext } from "./audio-context";
import { readSetting, writeSetting } from "./storage";

export type Sound = "join" | "leave" | "message" | "test";

const SOUNDS_KEY = "natter:sounds";
const mutable = signal(readSetting(SOUNDS_KEY) !== "off");
/** Whether the call plays its little sounds; remembered on this device. */
export const soundsOn: ReadonlySignal<boolean> = mutable;

export function setSoundsOn(on: boolean): void {
  mutable.value = on;
  writeSetting(SOUNDS_KEY, on ? "on" : "off");
}

/** Notes as [frequency in Hz, start in s]: rising for hello, falling for goodbye, one soft blip for a message. */
const NOTES: Readonly<Record<Sound, readonly (readonly [number, number])[]>> = {
  join: [
    [587, 0],
    [880, 0.1],
  ],
  leave: [
    [880, 0],
    [587, 0.1],
  ],
  message: [[1047, 0]],
  test: [
    [523, 0],
    [659, 0.12],
    [784, 0.24],
  ],
};
/** Quiet: a cue under the conversation, never over it. */
const PEAK_GAIN = 0.05;
const NOTE_S = 0.16;

/**
 * Plays a short tone generated on the spot (no audio files to download). `force` plays it even
 * with sounds turned off: the "test speaker" button has to make a sound.
 */
export function playSound(sound: Sound, { force = false }: { force?: boolean } = {}): void {
  if (!force && !mutable.value) return;
  const context = audioContext();
  if (!context) return;
  if (context.state === "suspended") void context.resume();
  for (const [frequency, offset] of NOTES[sound]) {
    const start = context.currentTime + 0.01 + offset;
    const oscillator = context.createOscillator();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    const gain = context.createGain();
    // Exponential ramps from near zero: a click-free start and a natural decay.
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(PEAK_GAIN, start + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + NOTE_S);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start);
    oscillator.stop(start + NOTE_S + 0.02);
  }
}

/** Sends the sounds to the chosen speaker where the browser allows it (AudioContext.setSinkId). */
export function routeSounds(sinkId: string | undefined): void {
  if (sinkId === undefined) return;
  const context = audioContext() as (AudioContext & { setSinkId?: (id: string) => Promise<void> }) | null;
  if (!context?.setSinkId) return;
  context.setSinkId(sinkId === "default" ? "" : sinkId).catch(() => {
    // An unplugged speaker: the default one still plays.
  });
}
