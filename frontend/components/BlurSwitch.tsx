import { blurProblem, blurSupported, blurWanted, setBlurWanted } from "../call/media/blur/blur-setting";
import type { LocalMediaState } from "../call/media/local-media-handle";
import { t } from "../i18n/active";
import { Switch } from "./Switch";

/**
 * "Blur my background", in the hair check and in settings; remembered on this device. The blur
 * itself follows the preference wherever the camera is (blur/blurred-camera.ts), so this switch
 * only states the wish. Browsers that can blur no way at all (blur-output.ts) get no switch.
 * Without a camera (none found, or blocked) the switch stays in view but greyed out, saying it
 * needs one: the wish has nothing to act on, and the switch comes alive when a camera arrives.
 */
export function BlurSwitch({ media }: { media: LocalMediaState }) {
  const text = t();
  if (!blurSupported()) return null;
  // While the browser is still asking, a camera may well come: no "needs a camera" flash.
  const noCamera = media.phase.value === "ready" && media.videoTrack.value === null;
  return (
    <Switch
      class="blur-switch"
      label={text.blurBackground}
      checked={blurWanted.value}
      disabled={noCamera}
      onChange={setBlurWanted}
      note={blurProblem.value === "failed" ? text.blurFailed : noCamera ? text.blurNeedsCamera : text.blurHint}
    />
  );
}
