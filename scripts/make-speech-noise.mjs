/**
 * Makes test/fixtures/speech-noise.wav, the fake microphone of the noise-suppression tests and
 * bench: a spoken sentence (espeak-ng, Debian package `espeak-ng`) with pauses, over a soft hiss
 * and loud keyboard typing, mono 16-bit at 24 kHz (Chromium resamples it; small enough to commit).
 *
 *   espeak-ng -v en-us -s 150 -w /tmp/speech.wav "The quick brown fox jumps over the lazy dog."
 *   node scripts/make-speech-noise.mjs /tmp/speech.wav test/fixtures/speech-noise.wav
 *
 * The noise is seeded, so the same speech gives the same file. The loop is 4.5 s: 1 s of noise
 * alone, the sentence, then noise alone to the end, so that a listener always hears both.
 */
import { readFileSync, writeFileSync } from "node:fs";

const RATE = 24_000;
const SECONDS = 4.5;
const SPEECH_AT = 1;
/** Relative to full scale: the speech's peak, the hiss's RMS and a key click's peak. */
const SPEECH_PEAK = 0.5;
const HISS_RMS = 0.01;
const CLICK_PEAK = 0.4;
/** A key click rings for about 10 ms. */
const CLICK_SAMPLES = Math.round(0.01 * RATE);

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node scripts/make-speech-noise.mjs <espeak.wav> <out.wav>");
  process.exit(2);
}

const speech = readPcm(readFileSync(input));
const samples = new Float64Array(Math.round(RATE * SECONDS));
const peak = speech.samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0) || 1;
const step = speech.rate / RATE;
const start = Math.round(SPEECH_AT * RATE);
for (let i = 0; start + i < samples.length; i++) {
  // Linear interpolation is enough for a test voice.
  const at = i * step;
  const j = Math.floor(at);
  if (j + 1 >= speech.samples.length) break;
  const s = speech.samples[j] + (speech.samples[j + 1] - speech.samples[j]) * (at - j);
  samples[start + i] = (s / peak) * SPEECH_PEAK;
}

// Seeded (xorshift32), so the same speech always gives the same file.
let seed = 0x2545f491;
const uniform = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32 - 0.5;
};
// A soft steady hiss (a fan), which the browser's own suppression already takes out...
for (let i = 0; i < samples.length; i++) samples[i] += HISS_RMS * Math.sqrt(12) * uniform();
// ...and fast typing: a key every 40-100 ms, each a few milliseconds of decaying broadband noise. The
// browser's suppression learns steady noise and lets such clicks through; RNNoise takes them out.
for (let at = 0; at < samples.length; at += Math.round((0.04 + 0.06 * (uniform() + 0.5)) * RATE)) {
  const loudness = CLICK_PEAK * (0.6 + 0.8 * (uniform() + 0.5));
  for (let i = 0; i < CLICK_SAMPLES && at + i < samples.length; i++)
    samples[at + i] += loudness * 2 * uniform() * Math.exp(-i / (CLICK_SAMPLES / 4));
}

const pcm = Buffer.alloc(samples.length * 2);
for (let i = 0; i < samples.length; i++)
  pcm.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i])) * 32767), i * 2);
writeFileSync(output, Buffer.concat([wavHeader(pcm.length), pcm]));

/** The 16-bit mono PCM of a plain WAV file, as espeak-ng writes it. */
function readPcm(file) {
  if (file.toString("ascii", 0, 4) !== "RIFF") throw new Error(`${input} is not a WAV file`);
  let offset = 12;
  let rate = 0;
  while (offset + 8 <= file.length) {
    const id = file.toString("ascii", offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    if (id === "fmt ") {
      if (file.readUInt16LE(offset + 10) !== 1 || file.readUInt16LE(offset + 22) !== 16)
        throw new Error("expected mono 16-bit PCM");
      rate = file.readUInt32LE(offset + 12);
    }
    // espeak-ng writing to a file leaves the data size at its maximum: read to the end instead.
    if (id === "data") {
      const end = Math.min(file.length, offset + 8 + size);
      const samples = new Float64Array(Math.floor((end - offset - 8) / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = file.readInt16LE(offset + 8 + i * 2) / 32768;
      return { rate, samples };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}

function wavHeader(dataLength) {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + dataLength, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(dataLength, 40);
  return header;
}
