import { useId, useState } from "preact/hooks";
import type { CallHandle } from "../call/call";
import { displayNameProblem } from "../call/display-name";
import type { LocalMediaHandle } from "../call/media/local-media-handle";
import { BlurSwitch } from "../components/BlurSwitch";
import { DevicePickers } from "../components/DevicePickers";
import { CameraButton, MicButton } from "../components/MediaButtons";
import { MicMeter } from "../components/MicMeter";
import { NameField } from "../components/NameField";
import { NoiseSwitch } from "../components/NoiseSwitch";
import { StreamVideo } from "../components/StreamVideo";
import { Avatar } from "../components/Tile";
import { useAudioLevels, useLevelMeter } from "../components/use-audio-levels";
import { t } from "../i18n/active";
import { fill } from "../i18n/format";
import type { Problem } from "../i18n/problem";
import { callError, mediaProblem } from "../i18n/problems";
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
  const [nameProblem, setNameProblem] = useState<Problem | null>(null);
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
  const text = t();

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (joining) return;
    const reason = displayNameProblem(name);
    setNameProblem(reason);
    if (reason === null) onJoin(name.trim());
  };

  return (
    <main class="page hair-check">
      <h1 class="hair-check__title">{text.readyToJoin}</h1>
      <p class="lede">
        {fill(text.joiningRoom, {
          room: (
            <strong class="room-ref">
              <bdi>{room}</bdi>
            </strong>
          ),
        })}
      </p>
      <div class="hair-check__layout">
        <section class="preview" aria-label={text.yourPreview}>
          <div class="preview__frame" data-testid="preview">
            {videoTrack && <StreamVideo stream={media.stream.value} muted mirrored />}
            {(!videoTrack || !cameraOn) && (
              <div class="preview__placeholder">
                <Avatar name={name.trim() || "?"} />
                <p class="preview__caption">
                  {phase === "asking" ? text.waitingForCamera : !videoTrack ? text.noCamera : text.yourCameraIsOff}
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
          <BlurSwitch media={media} />
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
                <p>{mediaProblem(problem)}</p>
                {problem.reason === "NotAllowedError" && <p>{text.howToAllow}</p>}
                <button type="button" onClick={() => void media.retry()}>
                  {text.tryAgain}
                </button>
              </div>
            )}
          </div>

          <button type="submit" class="primary join-button" disabled={joining}>
            {joining ? text.joiningNow : nothingToSend ? text.joinToListen : text.join}
          </button>
          {status === "error" && (
            <div class="notice notice--error" role="alert">
              <p>{callError(call.error.value ?? "unreachable")}</p>
              <button type="button" onClick={onRetry}>
                {text.tryAgain}
              </button>
            </div>
          )}
        </form>

        <section class="hair-check__devices" aria-label={text.devices}>
          <DevicePickers media={media} onChoose={(kind, deviceId) => media.useDevice(kind, deviceId)} />
          <NoiseSwitch media={media} />
        </section>
      </div>
    </main>
  );
}
