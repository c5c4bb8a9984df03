/**
 * How we listen to and watch each other person, for us alone: muted for us, their volume, their
 * video hidden. Nothing here is sent anywhere, so nobody else is affected or told; the views apply
 * it to each person's own media element. Kept per peer id for the whole call (a person who drops
 * and comes back keeps their id, and so our choice), and forgotten with the call.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import { type Problem, problem } from "../i18n/problem";

export interface Listening {
  /** Muted for us only. */
  readonly muted: boolean;
  /** 0 to 1, applied to their element's volume. */
  readonly volume: number;
  /** Their video not drawn (their avatar instead). */
  readonly videoHidden: boolean;
}

export const AS_SENT: Listening = { muted: false, volume: 1, videoHidden: false };

/** The volume their element should play at: silent when muted for us. */
export function heardVolume(listening: Listening): number {
  return listening.muted ? 0 : listening.volume;
}

export class ListeningChoices {
  readonly #choices = signal<ReadonlyMap<string, Listening>>(new Map());
  readonly choices: ReadonlySignal<ReadonlyMap<string, Listening>> = this.#choices;

  /**
   * Changes what we do with `peerId`'s media; returns why the change is refused (and changes
   * nothing), or null. A volume must be a number from 0 to 1.
   */
  set(peerId: string, change: Partial<Listening>): Problem | null {
    const { volume } = change;
    if (volume !== undefined && !(Number.isFinite(volume) && volume >= 0 && volume <= 1))
      return problem("volumeOutOfRange");
    const next = new Map(this.#choices.value);
    next.set(peerId, { ...(next.get(peerId) ?? AS_SENT), ...pick(change) });
    this.#choices.value = next;
    return null;
  }
}

/** Only the three known fields, so that a stray property cannot ride along into the views. */
function pick(change: Partial<Listening>): Partial<Listening> {
  const out: { -readonly [K in keyof Listening]?: Listening[K] } = {};
  if (typeof change.muted === "boolean") out.muted = change.muted;
  if (change.volume !== undefined) out.volume = change.volume;
  if (typeof change.videoHidden === "boolean") out.videoHidden = change.videoHidden;
  return out;
}
