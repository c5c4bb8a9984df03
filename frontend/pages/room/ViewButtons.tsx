/**
 * How the call is shown, at the right of the bar above it: grid or speaker view (remembered),
 * and the call in a floating window (picture-in-picture) where the browser can do it.
 */
import type { ComponentChildren } from "preact";
import { Icon, type IconName } from "../../components/Icon";
import type { LayoutMode } from "../../components/stage";
import { t } from "../../i18n/active";
import { format } from "../../i18n/format";
import "./ViewButtons.css";

interface ViewButtonProps {
  label: string;
  icon: IconName;
  shortcut: string;
  pressed?: boolean;
  onClick(): void;
  children: ComponentChildren;
}

/** A small text button; `label` (its accessible name) starts with the visible text. */
function ViewButton({ label, icon, shortcut, pressed, onClick, children }: ViewButtonProps) {
  return (
    <button
      type="button"
      class="view-button"
      aria-label={label}
      aria-pressed={pressed}
      title={format(t().withShortcut, { label, key: shortcut })}
      onClick={onClick}
    >
      <Icon name={icon} />
      <span>{children}</span>
    </button>
  );
}

export function LayoutToggle({ mode, onChange }: { mode: LayoutMode; onChange(mode: LayoutMode): void }) {
  const speaker = mode === "speaker";
  const text = t();
  return (
    <ViewButton
      label={text.speakerView}
      icon="speaker-view"
      shortcut="L"
      pressed={speaker}
      onClick={() => onChange(speaker ? "grid" : "speaker")}
    >
      {text.speakerView}
    </ViewButton>
  );
}

export function PipButton({ open, onToggle }: { open: boolean; onToggle(): void }) {
  const text = t();
  const label = open ? text.closeFloating : text.floatCall;
  return (
    <ViewButton label={label} icon="pip" shortcut="F" onClick={onToggle}>
      {label}
    </ViewButton>
  );
}
