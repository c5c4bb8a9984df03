import { t } from "../i18n/active";
import { audioRunning } from "../services/audio-context";
import type { LevelMeter } from "../services/audio-level";
import { FLOOR_DB } from "../services/audio-level";
import "./MicMeter.css";

/** -60 dB and below is an empty bar, 0 dB a full one: speech fills about half to three quarters. */
const RANGE_DB = 60;

/**
 * A live microphone level, and a warning when the microphone gives nothing at all: the commonest
 * reason nobody can hear you is a hardware mute switch or the wrong device, and both are silent.
 */
export function MicMeter({
  meter,
  micOn,
  available,
}: {
  meter: LevelMeter | null;
  micOn: boolean;
  available: boolean;
}) {
  const reading = meter?.reading.value;
  const level = reading && micOn ? reading.level : FLOOR_DB;
  const percent = Math.round(Math.max(0, Math.min(1, (level + RANGE_DB) / RANGE_DB)) * 100);
  const silent = micOn && reading?.silent === true;
  const text = t();
  return (
    <div class="mic-meter">
      {/* biome-ignore lint/a11y/useSemanticElements: <meter> cannot be styled alike across browsers (vendor pseudo-elements only) */}
      <div
        class="mic-meter__bar"
        role="meter"
        aria-label={text.micLevel}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <span class="mic-meter__fill" style={{ transform: `scaleX(${percent / 100})` }} />
      </div>
      {/* Always in the DOM: screen readers announce changes to a live region that already exists. */}
      <p class="mic-meter__note" role="status">
        {!available
          ? null
          : !micOn
            ? text.micIsOff
            : meter && !audioRunning.value
              ? text.clickForLevel
              : silent
                ? text.micSilent
                : null}
      </p>
    </div>
  );
}
