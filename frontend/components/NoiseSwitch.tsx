import { useId } from "preact/hooks";
import type { LocalMediaState } from "../call/media/local-media-handle";
import { t } from "../i18n/active";
import "../styles/controls.css";

/**
 * The "Noise suppression" switch, in the hair check and in settings. Only the switch lives here:
 * the denoiser is fetched the first time it is turned on (call/media/noise/), and the choice is
 * remembered on this device.
 */
export function NoiseSwitch({ media }: { media: LocalMediaState }) {
  const noteId = useId();
  const { noise } = media;
  const status = noise.status.value;
  const text = t();
  return (
    <div class="noise-switch">
      <label class="check">
        <input
          type="checkbox"
          checked={noise.wanted.value}
          aria-describedby={noteId}
          onChange={(event) => noise.set(event.currentTarget.checked)}
        />
        {text.noiseSuppression}
      </label>
      {/* A live region that always exists, so "starting" and "unavailable" are announced. */}
      <p class="field-note" id={noteId} role="status">
        {status === "starting"
          ? text.noiseSuppressionStarting
          : status === "unavailable"
            ? text.noiseSuppressionUnavailable
            : text.noiseSuppressionHint}
      </p>
    </div>
  );
}
