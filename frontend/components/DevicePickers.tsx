import { useId, useState } from "preact/hooks";
import { canChooseSpeaker, type DeviceKind } from "../call/media/devices";
import type { LocalMediaState } from "../call/media/local-media-handle";
import { t } from "../i18n/active";
import type { Catalog } from "../i18n/en";
import { type Problem, say } from "../i18n/problems";
import { playSound, routeSounds } from "../services/sounds";
import "../styles/controls.css";
import "./DevicePickers.css";

interface DevicePickersProps {
  media: LocalMediaState;
  /** Switches a device; resolves to why it failed, or null. */
  onChoose(kind: DeviceKind, deviceId: string): Promise<Problem | null>;
}

const LABELS = { videoinput: "camera", audioinput: "microphone", audiooutput: "speaker" } as const satisfies Record<
  DeviceKind,
  keyof Catalog
>;

/**
 * Camera, microphone and (where the browser can route sound) speaker. The selected entry is the
 * device actually in use, read from the track, so the list never claims a device it fell back from.
 */
export function DevicePickers({ media, onChoose }: DevicePickersProps) {
  const id = useId();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState<DeviceKind | null>(null);
  const devices = media.devices.value;
  const choice = media.choice.value;
  const inUse: Record<DeviceKind, string | undefined> = {
    videoinput: media.videoTrack.value?.getSettings().deviceId ?? choice.videoinput,
    // The microphone's own track: with noise suppression on, the track sent is the denoiser's, of no device.
    audioinput: media.stream.value?.getAudioTracks()[0]?.getSettings().deviceId ?? choice.audioinput,
    audiooutput: choice.audiooutput,
  };
  const text = t();
  const kinds: DeviceKind[] = ["videoinput", "audioinput", ...(canChooseSpeaker() ? (["audiooutput"] as const) : [])];

  const choose = async (kind: DeviceKind, deviceId: string) => {
    setBusy(kind);
    setProblem(null);
    const reason = await onChoose(kind, deviceId);
    setBusy(null);
    setProblem(reason);
    if (kind === "audiooutput" && reason === null) routeSounds(deviceId);
  };

  return (
    <div class="devices">
      {kinds.map((kind) => {
        const options = devices[kind];
        if (options.length === 0) return null;
        const selectId = `${id}-${kind}`;
        return (
          <div class="devices__row" key={kind}>
            <label for={selectId}>{text[LABELS[kind]]}</label>
            <div class="field-row">
              <select
                id={selectId}
                value={inUse[kind] ?? options[0]?.id}
                disabled={busy === kind}
                onChange={(event) => void choose(kind, event.currentTarget.value)}
              >
                {options.map((option) => (
                  <option key={option.id} value={option.id}>
                    {option.label}
                  </option>
                ))}
              </select>
              {kind === "audiooutput" && (
                <button type="button" onClick={() => playSound("test", { force: true })}>
                  {text.testSpeaker}
                </button>
              )}
            </div>
          </div>
        );
      })}
      <p class="form-problem" role="alert">
        {problem && say(problem)}
      </p>
    </div>
  );
}
