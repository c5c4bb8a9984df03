import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";
import "./Switch.css";

interface SwitchProps {
  /** What the switch turns on; clicking it toggles the box too. */
  label: ComponentChildren;
  checked: boolean;
  onChange(on: boolean): void;
  disabled?: boolean;
  /**
   * A line under the switch (a hint, or why it is not on): read with the box (aria-describedby)
   * and, because its live region always exists, announced when it changes.
   */
  note?: ComponentChildren;
  /** The wrapper's own class, for where it sits and for tests that find it. */
  class?: string;
}

/**
 * One on/off preference: a native checkbox inside its label, so the label names it, a click on
 * the words toggles it, and Tab and Space work as in any form. Every switch of the call (blur,
 * noise suppression, the settings' preferences, "Mark as verified") is this one.
 */
export function Switch({ label, checked, onChange, disabled = false, note, class: className }: SwitchProps) {
  const noteId = useId();
  const hasNote = note !== undefined;
  return (
    <div class={className ? `switch ${className}` : "switch"}>
      <label class="check">
        <input
          type="checkbox"
          checked={checked}
          disabled={disabled}
          aria-describedby={hasNote ? noteId : undefined}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
        {label}
      </label>
      {hasNote && (
        <p class="field-note switch__note" id={noteId} role="status">
          {note}
        </p>
      )}
    </div>
  );
}
