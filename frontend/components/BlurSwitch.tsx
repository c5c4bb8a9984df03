import { blurProblem, blurSupported, blurWanted, setBlurWanted } from "../call/media/blur/blur-setting";
import { t } from "../i18n/active";
import "../styles/controls.css";

/**
 * "Blur my background", in the hair check and in settings; remembered on this device. The blur
 * itself follows the preference wherever the camera is (blur/blurred-camera.ts), so this switch
 * only states the wish. Browsers that can blur no way at all (blur-output.ts) get no switch.
 */
export function BlurSwitch() {
  const text = t();
  if (!blurSupported()) return null;
  return (
    <div class="blur-switch">
      <label class="check">
        <input
          type="checkbox"
          checked={blurWanted.value}
          onChange={(event) => setBlurWanted(event.currentTarget.checked)}
        />
        {text.blurBackground}
      </label>
      <p class="field-note" role="status">
        {blurProblem.value === "failed" && text.blurFailed}
      </p>
    </div>
  );
}
