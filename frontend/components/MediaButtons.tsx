import type { ComponentChildren } from "preact";
import { t } from "../i18n/active";
import { format } from "../i18n/format";
import { Icon } from "./Icon";
import "./MediaButtons.css";

interface ToggleProps {
  on: boolean;
  /** False when there is no such device (or no permission): the button says so and does nothing. */
  available: boolean;
  onToggle(): void;
  /** Shown as a tooltip next to the name, e.g. "M". */
  shortcut?: string;
}

interface MicButtonProps extends ToggleProps {
  /** Muted, but push to talk is held: drawn live. */
  talking?: boolean;
  /** Muted and speaking: the button pulses, so "you are muted" cannot be missed. */
  pulse?: boolean;
}

/** Its name says what pressing it does now ("Mute microphone"), as a screen reader user hears it. */
export function MicButton({ on, available, onToggle, shortcut, talking = false, pulse = false }: MicButtonProps) {
  const text = t();
  const label = !available ? text.micUnavailable : on ? text.muteMic : text.unmuteMic;
  const live = (on || talking) && available;
  return (
    <ControlButton
      label={label}
      shortcut={available ? shortcut : undefined}
      icon={live ? "mic" : "mic-off"}
      class={talking ? "control--talking" : pulse ? "control--pulse" : undefined}
      off={!live}
      disabled={!available}
      onClick={onToggle}
    />
  );
}

export function CameraButton({ on, available, onToggle, shortcut }: ToggleProps) {
  const text = t();
  const label = !available ? text.cameraButtonUnavailable : on ? text.turnCameraOff : text.turnCameraOn;
  return (
    <ControlButton
      label={label}
      shortcut={available ? shortcut : undefined}
      icon={on && available ? "camera" : "camera-off"}
      off={!on || !available}
      disabled={!available}
      onClick={onToggle}
    />
  );
}

interface ControlButtonProps {
  label: string;
  icon: Parameters<typeof Icon>[0]["name"];
  onClick(): void;
  shortcut?: string | undefined;
  /** Drawn in the "off" colour: a muted microphone should be obvious at a glance. */
  off?: boolean;
  disabled?: boolean;
  /** Visible text next to the icon (the accessible name stays `label`, which contains it). */
  text?: string | undefined;
  class?: string;
  expanded?: boolean;
  controls?: string;
  hasPopup?: "dialog";
  buttonRef?: { current: HTMLButtonElement | null };
  children?: ComponentChildren;
}

/** A round icon button whose tooltip is its accessible name (plus its shortcut). */
export function ControlButton(props: ControlButtonProps) {
  const classes = ["control", props.off && "control--off", props.class].filter(Boolean).join(" ");
  return (
    <button
      ref={props.buttonRef}
      type="button"
      class={classes}
      aria-label={props.label}
      aria-expanded={props.expanded}
      aria-controls={props.controls}
      aria-haspopup={props.hasPopup}
      data-tip={props.shortcut ? format(t().withShortcut, { label: props.label, key: props.shortcut }) : props.label}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <Icon name={props.icon} />
      {props.text && <span class="control__text">{props.text}</span>}
      {props.children}
    </button>
  );
}
