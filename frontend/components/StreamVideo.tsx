import { useEffect, useRef } from "preact/hooks";
import { useShownStream } from "./shown-stream";

interface Props {
  stream: MediaStream | null;
  /** Our own preview must be muted, or we would hear ourselves. */
  muted?: boolean;
  /** Selfies look natural mirrored; other people must not be. */
  mirrored?: boolean;
  /** The speaker to play through (setSinkId); undefined leaves the system's choice. */
  sinkId?: string | undefined;
  /** 0 to 1: a person's volume as we chose it (listening.ts). */
  volume?: number;
  /**
   * Play only the stream's sound: the element is given a stream of its audio tracks, so the
   * picture is neither drawn nor kept by the element (the connection still receives it). A muted
   * element, the other way round, is given only the video tracks (shown-stream.ts says why).
   */
  audioOnly?: boolean;
  class?: string;
}

/** A <video> showing a MediaStream; srcObject is a property, not an attribute, so it is set from an effect. */
export function StreamVideo(props: Props) {
  const {
    stream: sent,
    muted = false,
    mirrored = false,
    sinkId,
    volume = 1,
    audioOnly = false,
    class: className,
  } = props;
  const ref = useRef<HTMLVideoElement>(null);
  const stream = useShownStream(sent, audioOnly ? "audio" : muted ? "video" : "all");

  useEffect(() => {
    if (ref.current) ref.current.volume = volume;
  }, [volume]);

  useEffect(() => {
    const video = ref.current as (HTMLVideoElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    if (!video?.setSinkId || sinkId === undefined || muted) return;
    video.setSinkId(sinkId === "default" ? "" : sinkId).catch((error: unknown) => {
      // An unplugged speaker: sound stays on the default one.
      console.warn("natter: could not switch the speaker", error);
    });
  }, [sinkId, muted]);

  useEffect(() => {
    const video = ref.current;
    if (!video || video.srcObject === stream) return;
    video.srcObject = stream;
    if (!stream) return;
    return playDespiteAutoplayPolicy(video);
  }, [stream]);

  const classes = [mirrored && "mirrored", className].filter(Boolean).join(" ");
  return <video ref={ref} class={classes || undefined} autoplay playsInline muted={muted} />;
}

/**
 * Browsers refuse to autoplay sound until the user has interacted with the page (someone who
 * opened a link and has no camera has not). Rather than show nothing, play muted and turn the
 * sound on at the first click or key press anywhere. Returns the effect's cleanup.
 */
function playDespiteAutoplayPolicy(video: HTMLVideoElement): () => void {
  let done = false;
  const unmute = () => {
    video.muted = false;
    stop();
  };
  const stop = () => {
    done = true;
    removeEventListener("pointerdown", unmute, true);
    removeEventListener("keydown", unmute, true);
  };
  video.play().catch((error: unknown) => {
    // AbortError just means a newer stream replaced this one; only the autoplay policy needs handling.
    if (done || video.muted || !(error instanceof DOMException && error.name === "NotAllowedError")) return;
    video.muted = true;
    video.play().catch(() => {});
    addEventListener("pointerdown", unmute, true);
    addEventListener("keydown", unmute, true);
  });
  return stop;
}
