/**
 * The room's audio plumbing for the view: one level meter for our microphone and one per peer,
 * kept in step with who is in the call, and who is speaking (and loudest) as signals read.
 */
import type { ReadonlySignal } from "@preact/signals-core";
import { useEffect, useRef } from "preact/hooks";
import type { Peer } from "../../call/call";
import { SELF } from "../../components/stage";
import { useAudioLevels, useLevelMeter } from "../../components/use-audio-levels";
import type { SpeakerView } from "../../services/audio-level";

export interface Speakers {
  /**
   * Whether a person (by peer id, SELF for us) speaks now, is the loudest, and how loud: signals
   * each tile reads for itself, so that only that tile redraws when it changes, not the room.
   */
  of(id: string): SpeakerView;
  /** The one speaking loudest, if anyone. */
  active: ReadonlySignal<string | null>;
}

export function useSpeakers(audioTrack: MediaStreamTrack | null, peers: readonly Peer[]): Speakers {
  const levels = useAudioLevels();
  // A clone of our microphone stays measurable while muted: that is how "You are muted" knows we speak.
  useLevelMeter(levels, SELF, audioTrack, true);
  const watched = useRef(new Set<string>());
  useEffect(() => {
    const now = new Set(peers.map((peer) => peer.id));
    // A peer's level comes with the audio we receive from it (no Web Audio graph per peer).
    for (const peer of peers)
      levels.watch(peer.id, peer.stream?.getAudioTracks()[0] ?? null, { level: peer.audioLevel });
    for (const id of watched.current) if (!now.has(id)) levels.forget(id);
    watched.current = now;
  }, [levels, peers]);
  return { of: (id) => levels.of(id), active: levels.active };
}
