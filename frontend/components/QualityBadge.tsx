import type { ReadonlySignal } from "@preact/signals";
import { useId } from "preact/hooks";
import type { ConnectionQuality } from "../call/peer/quality";
import { describeQuality } from "../i18n/problems";
import "./QualityBadge.css";

/**
 * Bars that say how good the connection to one person is, with the numbers behind it on hover
 * or keyboard focus. It reads the engine's signal itself, so a new sample every two seconds
 * redraws this badge and nothing around it.
 */
export function QualityBadge({ quality }: { quality: ReadonlySignal<ConnectionQuality | null> }) {
  const id = useId();
  const current = quality.value;
  if (!current) return null;
  const { label, details } = describeQuality(current);
  return (
    <span class={`quality quality--${current.level}`}>
      {/* A button so that keyboard users can reach the details; it does nothing else. */}
      <button type="button" class="quality__bars" aria-label={label} aria-describedby={`${id}-details`}>
        <span aria-hidden="true" />
        <span aria-hidden="true" />
        <span aria-hidden="true" />
      </button>
      <span class="quality__details" role="tooltip" id={`${id}-details`}>
        {label}: {details}
      </span>
    </span>
  );
}
