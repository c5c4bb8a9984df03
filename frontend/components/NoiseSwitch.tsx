import type { LocalMediaState } from "../call/media/local-media-handle";
import { t } from "../i18n/active";
import { Switch } from "./Switch";

/**
 * The "Noise suppression" switch, in the hair check and in settings. Only the switch lives here:
 * the denoiser is fetched the first time it is turned on (call/media/noise/), and the choice is
 * remembered on this device.
 */
export function NoiseSwitch({ media }: { media: LocalMediaState }) {
  const { noise } = media;
  const status = noise.status.value;
  const text = t();
  return (
    <Switch
      class="noise-switch"
      label={text.noiseSuppression}
      checked={noise.wanted.value}
      onChange={(on) => noise.set(on)}
      note={
        status === "starting"
          ? text.noiseSuppressionStarting
          : status === "unavailable"
            ? text.noiseSuppressionUnavailable
            : text.noiseSuppressionHint
      }
    />
  );
}
