/**
 * How the call is shown, at the right of the bar above it: grid or speaker view (remembered),
 * and the call in a floating window (picture-in-picture) where the browser can do it.
 */
import type { ComponentChildren } from "preact";
import { Icon, type IconName } from "../../components/Icon";
import type { LayoutMode } from "../../components/stage";
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
      title={`${label} (${shortcut})`}
      onClick={onClick}
    >
      <Icon name={icon} />
      <span>{children}</span>
    </button>
  );
}

export function LayoutToggle({ mode, onChange }: { mode: LayoutMode; onChange(mode: LayoutMode): void }) {
  const speaker = mode === "speaker";
  return (
    <ViewButton
      label="Speaker view"
      icon="speaker-view"
      shortcut="L"
      pressed={speaker}
      onClick={() => onChange(speaker ? "grid" : "speaker")}
    >
      Speaker view
    </ViewButton>
  );
}

export function PipButton({ open, onToggle }: { open: boolean; onToggle(): void }) {
  return (
    <ViewButton label={open ? "Close floating window" : "Float the call"} icon="pip" shortcut="F" onClick={onToggle}>
      {open ? "Close floating window" : "Float the call"}
    </ViewButton>
  );
}
