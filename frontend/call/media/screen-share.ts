import { batch, type ReadonlySignal, signal } from "@preact/signals-core";
import { type Problem, problem } from "../../i18n/problem";
import { errorName } from "./acquire";

/**
 * Why getDisplayMedia failed, in words that say what to do; null when the person cancelled the
 * picker (a choice, not a failure). NotFoundError is what a browser without any screen to capture
 * says: headless Firefox, or a remote session that exposes no display.
 */
export function describeScreenShareError(name: string): Problem | null {
  switch (name) {
    case "NotAllowedError":
      return null;
    case "NotFoundError":
      return problem("screenNothing");
    case "NotReadableError":
    case "AbortError":
      return problem("screenBlocked");
    default:
      return problem("screenFailed");
  }
}

export type GetDisplayMedia = (options: DisplayMediaStreamOptions) => Promise<MediaStream>;

/** Desktop browsers only: mobile browsers have no getDisplayMedia at all. */
export function browserGetDisplayMedia(): GetDisplayMedia | null {
  const devices = typeof navigator === "undefined" ? undefined : navigator.mediaDevices;
  return devices?.getDisplayMedia ? (options) => devices.getDisplayMedia(options) : null;
}

/**
 * Our shared screen. Slides and code matter more than smooth motion, so the track is marked
 * "detail": the encoder then keeps the resolution and drops frames when bandwidth is short.
 */
export class ScreenShare {
  readonly #track = signal<MediaStreamTrack | null>(null);
  readonly #stream = signal<MediaStream | null>(null);
  readonly track: ReadonlySignal<MediaStreamTrack | null> = this.#track;
  readonly stream: ReadonlySignal<MediaStream | null> = this.#stream;
  readonly #getDisplayMedia: GetDisplayMedia | null;
  #picking = false;

  constructor(getDisplayMedia: GetDisplayMedia | null = browserGetDisplayMedia()) {
    this.#getDisplayMedia = getDisplayMedia;
  }

  get supported(): boolean {
    return this.#getDisplayMedia !== null;
  }

  /** Opens the browser's picker; resolves to why sharing did not start, or null (also when the person cancelled). */
  async start(): Promise<Problem | null> {
    if (!this.#getDisplayMedia) return problem("screenUnsupported");
    if (this.#track.value || this.#picking) return null;
    this.#picking = true;
    let stream: MediaStream;
    try {
      stream = await this.#getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    } catch (error) {
      return describeScreenShareError(errorName(error));
    } finally {
      this.#picking = false;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return problem("screenFailed");
    track.contentHint = "detail";
    // The browser's own "Stop sharing" bar ends the track without asking us.
    track.addEventListener("ended", () => {
      if (this.#track.value === track) this.stop();
    });
    batch(() => {
      this.#track.value = track;
      this.#stream.value = stream;
    });
    return null;
  }

  stop(): void {
    const track = this.#track.value;
    if (!track) return;
    track.stop();
    batch(() => {
      this.#track.value = null;
      this.#stream.value = null;
    });
  }
}
