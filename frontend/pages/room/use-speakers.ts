/**
 * The room's audio plumbing for the view: one level meter for our microphone and one per peer,
 * kept in step with who is in the call, and who is speaking (and loudest) as signals read.
 */
import { useEffect, useRef } from "preact/hooks";
import type { Peer } from "../../call/call";
import { SELF } from "../../components/stage";
import { useAudioLevels, useLevelMeter } from "../../components/use-audio-levels";

export interface Speakers {
  /** Who is speaking now, by peer id (SELF for us). */
  speaking: ReadonlySet<string>;
  /** The one speaking loudest, if anyone. */
  active: string | null;
}

export function useSpeakers(audioTrack: MediaStreamTrack | null, peers: readonly Peer[]): Speakers {
  const levels = useAudioLevels();
  // A clone of our microphone stays measurable while muted: that is how "You are muted" knows we speak.
  useLevelMeter(levels, SELF, audioTrack, true);
  const watched = useRef(new Set<string>());
  useEffect(() => {
    const now = new Set(peers.map((peer) => peer.id));
    for (const peer of peers) levels.watch(peer.id, peer.stream?.getAudioTracks()[0] ?? null);
    for (const id of watched.current) if (!now.has(id)) levels.forget(id);
    watched.current = now;
  }, [levels, peers]);
  return { speaking: levels.speaking.value, active: levels.active.value };
}
