/**
 * The microphone the e2e tests and the bench give Chromium. Its own fake one only beeps, a few
 * milliseconds every half second: whether a 100 ms level sample catches a beep is luck, so tests
 * that need someone "speaking" (the speaking bars, "You are muted") would pass or fail by chance,
 * and in the bench every tile's speaking ring and the active speaker would flip all the time,
 * redrawing the call as no real one does. A steady voice is speech as far as the level meters care.
 */
import { randomUUID } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Chromium's flags for a microphone that plays `file` (a WAV, looped); the steady voice by default. */
export function fakeMicrophoneArgs(file: string = steadyVoiceFile()): string[] {
  return [`--use-file-for-fake-audio-capture=${file}`];
}

/**
 * One second of a 220 Hz tone peaking at -14 dBFS, looped by Chromium: the browser's noise
 * suppression wears a steady tone down, but only to about -36 dBFS, well above the -50 at which
 * someone counts as speaking. Written to the temporary directory (the same bytes every time) and
 * renamed into place, so a browser another process is starting never reads half a file.
 */
export function steadyVoiceFile(): string {
  const rate = 48_000;
  const samples = new Int16Array(rate);
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(0.2 * 32767 * Math.sin((2 * Math.PI * 220 * i) / rate));
  const data = Buffer.from(samples.buffer);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write("data", 36);
  header.writeUInt32LE(data.length, 40);
  const path = join(tmpdir(), "natter-steady-voice.wav");
  // A name of its own: test workers may be threads of one process, so not even the pid is unique.
  const partial = `${path}.${randomUUID()}`;
  writeFileSync(partial, Buffer.concat([header, data]));
  renameSync(partial, path);
  return path;
}
