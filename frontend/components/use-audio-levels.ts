import { useEffect, useState } from "preact/hooks";
import { AudioLevels, type LevelMeter } from "../services/audio-level";

/** One AudioLevels for the life of the component, disposed with it. */
export function useAudioLevels(): AudioLevels {
  const [levels] = useState(() => new AudioLevels());
  useEffect(() => () => levels.dispose(), [levels]);
  return levels;
}

/** Measures `track` as `id` while mounted; with `clone`, even while the track is muted. */
export function useLevelMeter(
  levels: AudioLevels,
  id: string,
  track: MediaStreamTrack | null,
  clone = false,
): LevelMeter | null {
  const [meter, setMeter] = useState<LevelMeter | null>(null);
  useEffect(() => {
    setMeter(levels.watch(id, track, { clone }));
    return () => levels.forget(id);
  }, [levels, id, track, clone]);
  return meter;
}
