import { batch, computed, type ReadonlySignal, type Signal, signal } from "@preact/signals-core";
import { audioContext } from "./audio-context";

/** Above this (smoothed, dBFS) someone is speaking: quiet speech is around -40, a quiet room below -60. */
export const SPEAKING_DB = -50;
/** Below this for SILENT_MS the microphone gives nothing at all (muted in hardware, or the wrong device). */
export const SILENCE_DB = -75;
export const SILENT_MS = 3_000;
/** A pause between words shorter than this does not turn the speaking indicator off. */
export const SPEAKING_HOLD_MS = 600;
export const FLOOR_DB = -100;
const SAMPLE_MS = 100;

/** The level of a block of samples in dBFS (0 is full scale); silence is FLOOR_DB, not -Infinity. */
export function levelDb(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  return rms > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(rms)) : FLOOR_DB;
}

export interface Reading {
  /** Smoothed level, dBFS. */
  level: number;
  speaking: boolean;
  /** No input at all for SILENT_MS. */
  silent: boolean;
}

/**
 * Turns raw levels into a steady indicator: a fast attack so a first syllable lights it at once,
 * a slow release and a hold so it does not flicker between words. Pure, so it is tested with
 * numbers instead of a microphone.
 */
export class SpeakingDetector {
  #level = FLOOR_DB;
  #speaking = false;
  #lastLoud: number | null = null;
  #lastSound: number | null = null;
  #since: number | null = null;

  update(db: number, now: number): Reading {
    this.#since ??= now;
    this.#level += (db > this.#level ? 0.6 : 0.2) * (db - this.#level);
    if (this.#level > SPEAKING_DB) this.#lastLoud = now;
    if (db > SILENCE_DB) this.#lastSound = now;
    this.#speaking = this.#lastLoud !== null && now - this.#lastLoud <= SPEAKING_HOLD_MS;
    const silent = now - (this.#lastSound ?? this.#since) >= SILENT_MS;
    return { level: this.#level, speaking: this.#speaking, silent };
  }
}

/** Where a meter's level comes from: dBFS now, or null when it cannot be read (yet). */
export type LevelReader = () => number | null;

/** What a tile reads about one person: each a signal that changes only when its answer does. */
export interface SpeakerView {
  speaking: ReadonlySignal<boolean>;
  /** The loudest of those speaking. */
  active: ReadonlySignal<boolean>;
  /** The smoothed level in whole dBFS (FLOOR_DB when unmeasured), at most ten changes a second. */
  level: ReadonlySignal<number>;
}

/** One track's level, sampled by AudioLevels. */
export class LevelMeter {
  readonly #reading = signal<Reading>({ level: FLOOR_DB, speaking: false, silent: false });
  readonly reading: ReadonlySignal<Reading> = this.#reading;
  readonly track: MediaStreamTrack;
  readonly #detector = new SpeakingDetector();
  readonly #read: LevelReader;
  readonly #stop: () => void;

  constructor(track: MediaStreamTrack, read: LevelReader, stop: () => void = () => {}) {
    this.track = track;
    this.#read = read;
    this.#stop = stop;
  }

  /** A meter that listens to the track itself, through an analyser on the page's AudioContext. */
  static analysing(context: AudioContext, track: MediaStreamTrack): LevelMeter {
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    const samples = new Float32Array(analyser.fftSize);
    source.connect(analyser);
    return new LevelMeter(
      track,
      () => {
        // A suspended context (no click on the page yet) reads as silence, which is not the microphone's fault.
        if (context.state !== "running") return null;
        analyser.getFloatTimeDomainData(samples);
        return levelDb(samples);
      },
      () => source.disconnect(),
    );
  }

  sample(now: number): void {
    const db = this.#read();
    if (db === null) return;
    const next = this.#detector.update(db, now);
    const current = this.#reading.value;
    // Whole decibels are plenty for a meter, and spare the views ten renders a second of noise.
    next.level = Math.round(next.level);
    if (next.level !== current.level || next.speaking !== current.speaking || next.silent !== current.silent)
      this.#reading.value = next;
  }

  stop(): void {
    this.#stop();
  }
}

/**
 * Levels of everyone in a call (or just our microphone in the hair check), on one timer, plus
 * who is speaking and who speaks loudest: the active speaker.
 */
export class AudioLevels {
  readonly #meters = new Map<string, LevelMeter>();
  /** The track each meter was asked to measure (a meter may measure a clone of it). */
  readonly #watched = new Map<string, MediaStreamTrack>();
  /** Tracks we cloned ourselves, which we must stop. */
  readonly #clones = new Set<MediaStreamTrack>();
  readonly #speaking = signal<ReadonlySet<string>>(new Set());
  readonly #active = signal<string | null>(null);
  readonly speaking: ReadonlySignal<ReadonlySet<string>> = this.#speaking;
  readonly active: ReadonlySignal<string | null> = this.#active;
  readonly #views = new Map<string, SpeakerView>();
  /** Each person's smoothed level, for the views that draw it (the speaking bars); made on first ask. */
  readonly #levels = new Map<string, Signal<number>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #context: () => AudioContext | null;
  readonly #now: () => number;

  constructor(options: { context?: () => AudioContext | null; now?: () => number } = {}) {
    this.#context = options.context ?? audioContext;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Measures `track` as `id` (replacing what was measured before). With `clone`, a copy is
   * measured that stays enabled: that is how we hear someone talking while muted. With `level`,
   * the level is read from there (a peer's received audio says how loud it is, see
   * call/peer/received-level.ts) and the track needs no analyser, nor the AudioContext.
   */
  watch(
    id: string,
    track: MediaStreamTrack | null,
    { clone = false, level }: { clone?: boolean; level?: LevelReader } = {},
  ): LevelMeter | null {
    const existing = this.#meters.get(id);
    if (existing && this.#watched.get(id) === track) return existing;
    this.forget(id);
    if (!track) return null;
    let meter: LevelMeter;
    if (level) meter = new LevelMeter(track, level);
    else {
      const context = this.#context();
      if (!context) return null;
      let measured = track;
      if (clone) {
        measured = track.clone();
        measured.enabled = true;
        this.#clones.add(measured);
      }
      meter = LevelMeter.analysing(context, measured);
    }
    this.#meters.set(id, meter);
    this.#watched.set(id, track);
    this.#timer ??= setInterval(() => this.#sample(), SAMPLE_MS);
    return meter;
  }

  /**
   * Whether `id` is speaking, whether it is the loudest, and how loud, as signals that change only
   * when that answer does: a tile that reads them redraws alone, where the whole room used to
   * redraw each time anyone started or stopped speaking; the level is bound to the bars' style
   * without redrawing even the tile.
   */
  of(id: string): SpeakerView {
    let view = this.#views.get(id);
    if (!view) {
      // peek: a view asked for during a render (or an effect) must not subscribe it to the meter.
      const level = signal(this.#meters.get(id)?.reading.peek().level ?? FLOOR_DB);
      this.#levels.set(id, level);
      view = {
        speaking: computed(() => this.#speaking.value.has(id)),
        active: computed(() => this.#active.value === id),
        level,
      };
      this.#views.set(id, view);
    }
    return view;
  }

  meter(id: string): LevelMeter | undefined {
    return this.#meters.get(id);
  }

  forget(id: string): void {
    const meter = this.#meters.get(id);
    if (!meter) return;
    meter.stop();
    if (this.#clones.delete(meter.track)) meter.track.stop();
    this.#meters.delete(id);
    this.#watched.delete(id);
    const level = this.#levels.get(id);
    if (level) level.value = FLOOR_DB;
    if (this.#meters.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  dispose(): void {
    for (const id of [...this.#meters.keys()]) this.forget(id);
    batch(() => {
      this.#speaking.value = new Set();
      this.#active.value = null;
    });
  }

  #sample(): void {
    const now = this.#now();
    let loudest: { id: string; level: number } | null = null;
    const speaking = new Set<string>();
    for (const [id, meter] of this.#meters) {
      meter.sample(now);
      const { level, speaking: isSpeaking } = meter.reading.value;
      if (!isSpeaking) continue;
      speaking.add(id);
      if (!loudest || level > loudest.level) loudest = { id, level };
    }
    const current = this.#active.value;
    // The active speaker changes only when someone is clearly louder, so a cough does not steal it.
    const currentLevel =
      current !== null && speaking.has(current) ? this.#meters.get(current)?.reading.value.level : null;
    const active =
      loudest === null ? null : currentLevel != null && loudest.level - currentLevel < 6 ? current : loudest.id;
    batch(() => {
      if (!sameSet(speaking, this.#speaking.value)) this.#speaking.value = speaking;
      if (active !== current) this.#active.value = active;
      // A signal notifies only on a change: a steady level costs nothing downstream.
      for (const [id, level] of this.#levels) level.value = this.#meters.get(id)?.reading.value.level ?? FLOOR_DB;
    });
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
