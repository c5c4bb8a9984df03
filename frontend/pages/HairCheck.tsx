import { useId, useState } from "preact/hooks";
import type { CallHandle } from "../call/call";
import { displayNameProblem } from "../call/display-name";
import { describeProblem } from "../call/media/capture";
import type { LocalMediaHandle } from "../call/media/local-media";
import { DevicePickers } from "../components/DevicePickers";
import { CameraButton, MicButton } from "../components/MediaButtons";
import { MicMeter } from "../components/MicMeter";
import { NameField } from "../components/NameField";
import { StreamVideo } from "../components/StreamVideo";
import { Avatar } from "../components/Tile";
import { useAudioLevels, useLevelMeter } from "../components/use-audio-levels";
import "../styles/notice.css";
import "./HairCheck.css";

interface HairCheckProps {
  room: string;
  media: LocalMediaHandle;
  /** Connected (the socket opens while the person looks at the preview), not yet joined. */
  call: CallHandle;
  /** Join was pressed and the room has not answered yet. */
  joining: boolean;
  onJoin(name: string): void;
  /** Starts over after the room could not be reached. */
  onRetry(): void;
}

/**
 * The look in the mirror before joining: preview, devices, microphone level and name. It is also
 * a head start: the camera and microphone started here are the ones the call sends, and the
 * room's socket is already open, so pressing Join costs one round trip.
 */
export function HairCheck({ room, media, call, joining, onJoin, onRetry }: HairCheckProps) {
  const id = useId();
  const [name, setName] = useState(() => call.selfName.value);
  const [nameProblem, setNameProblem] = useState<string | null>(null);
  const levels = useAudioLevels();
  const audioTrack = media.audioTrack.value;
  const videoTrack = media.videoTrack.value;
  // A clone keeps measuring while the microphone is off, so the meter can say it is off rather than silent.
  const meter = useLevelMeter(levels, "self", audioTrack, true);
  const phase = media.phase.value;
  const problem = media.problem.value;
  const micOn = media.micOn.value;
  const cameraOn = media.cameraOn.value;
  const nothingToSend = phase === "ready" && !audioTrack && !videoTrack;
  const status = call.status.value;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (joining) return;
    const reason = displayNameProblem(name);
    setNameProblem(reason);
    if (reason === null) onJoin(name.trim());
  };

  return (
    <main class="page hair-check">
      <h1 class="hair-check__title">Ready to join?</h1>
      <p class="lede">
        You are joining <strong class="room-ref">{room}</strong>. Check how you look and sound first.
      </p>
      <div class="hair-check__layout">
        <section class="preview" aria-label="Your preview">
          <div class="preview__frame" data-testid="preview">
            {videoTrack && <StreamVideo stream={media.stream.value} muted mirrored />}
            {(!videoTrack || !cameraOn) && (
              <div class="preview__placeholder">
                <Avatar name={name.trim() || "?"} />
                <p class="preview__caption">
                  {phase === "asking" ? "Waiting for the camera…" : !videoTrack ? "No camera" : "Your camera is off"}
                </p>
              </div>
            )}
            <div class="preview__toggles">
              <MicButton on={micOn} available={audioTrack !== null} onToggle={() => media.setMicOn(!micOn)} />
              <CameraButton
                on={cameraOn}
                available={videoTrack !== null}
                onToggle={() => media.setCameraOn(!cameraOn)}
              />
            </div>
          </div>
          <MicMeter meter={meter} micOn={micOn} available={audioTrack !== null} />
        </section>

        <form class="hair-check__form" onSubmit={submit} noValidate>
          <NameField
            id={id}
            value={name}
            onValue={(value) => {
              setName(value);
              setNameProblem(null);
            }}
            problem={nameProblem}
          />

          {/* Always in the DOM: screen readers announce changes to a live region that already exists. */}
          <div class="hair-check__problem" role="status">
            {problem && (
              <div class="notice">
                <p>{describeProblem(problem)}</p>
                {problem.reason === "NotAllowedError" && (
                  <p>
                    To allow them, click the camera or padlock icon at the left of the address bar, set Camera and
                    Microphone to Allow, then try again.
                  </p>
                )}
                <button type="button" onClick={() => void media.retry()}>
                  Try again
                </button>
              </div>
            )}
          </div>

          <button type="submit" class="primary join-button" disabled={joining}>
            {joining ? "Joining…" : nothingToSend ? "Join to listen and watch" : "Join"}
          </button>
          {status === "error" && (
            <div class="notice notice--error" role="alert">
              <p>{call.error.value ?? "Could not reach the room."}</p>
              <button type="button" onClick={onRetry}>
                Try again
              </button>
            </div>
          )}
        </form>

        <section class="hair-check__devices" aria-label="Devices">
          <DevicePickers media={media} onChoose={(kind, deviceId) => media.useDevice(kind, deviceId)} />
        </section>
      </div>
    </main>
  );
}
