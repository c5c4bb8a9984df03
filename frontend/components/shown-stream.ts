/**
 * Which of a stream's tracks a media element is given. A muted element gets the picture only:
 * Chromium runs every audio track of its srcObject through it (decoding, resampling, an output
 * stream at volume 0) muted or not, and in a call of four that is CPU spent on sound nobody hears.
 * A hidden picture gets the sound only, so the element neither draws nor keeps the frames.
 */
import { useEffect, useReducer, useRef } from "preact/hooks";

export type Shown = "all" | "video" | "audio";

/**
 * `sent` as is ("all"), or a stream of its tracks of one kind; null when it has none. Stable: a
 * new stream only when those tracks change, since a new srcObject restarts playback (a new
 * microphone must not blank our preview). It follows the tracks the browser adds to `sent` or
 * removes from it, as the element would if it were given `sent` itself.
 */
export function useShownStream(sent: MediaStream | null, shown: Shown): MediaStream | null {
  const [, changed] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!sent || shown === "all") return;
    sent.addEventListener("addtrack", changed);
    sent.addEventListener("removetrack", changed);
    return () => {
      sent.removeEventListener("addtrack", changed);
      sent.removeEventListener("removetrack", changed);
    };
  }, [sent, shown]);

  const last = useRef<MediaStream | null>(null);
  if (!sent || shown === "all") return sent;
  const tracks = shown === "video" ? sent.getVideoTracks() : sent.getAudioTracks();
  const previous = last.current?.getTracks() ?? [];
  const same = tracks.length === previous.length && tracks.every((track, i) => track === previous[i]);
  if (!same) last.current = tracks.length > 0 ? new MediaStream(tracks) : null;
  return last.current;
}
