/**
 * The Reactions button and the row of emoji it opens above the control bar. The row stays open
 * while people keep reacting, and closes with Escape (focus back on the button), the button, or
 * focus moving elsewhere. Each emoji is a button named in words.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { REACTIONS, type Reaction } from "../../common/protocol";
import { t } from "../i18n/active";
import { format } from "../i18n/format";
import { REACTION_NAMES } from "../services/reactions";
import { ControlButton } from "./MediaButtons";
import "./ReactionPicker.css";

export function ReactionPicker({ onReact, disabled }: { onReact(emoji: Reaction): void; disabled?: boolean }) {
  const text = t();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (open) menu.current?.querySelector("button")?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  return (
    <div class="reaction-picker">
      {open && (
        <fieldset
          ref={menu}
          class="reaction-picker__menu"
          id="reaction-menu"
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              event.preventDefault();
              close();
            }
          }}
          onFocusOut={(event) => {
            // Focus left the picker altogether (not to its own button): the row goes away.
            const next = event.relatedTarget;
            const picker = event.currentTarget.parentElement;
            if (next instanceof Node && !picker?.contains(next)) setOpen(false);
          }}
        >
          <legend class="visually-hidden">{text.sendReaction}</legend>
          {REACTIONS.map((emoji, i) => {
            const name = text[REACTION_NAMES[emoji]];
            return (
              <button
                key={emoji}
                type="button"
                class="reaction-picker__emoji"
                aria-label={format(text.reactWith, { name })}
                title={format(text.withShortcut, { label: name, key: i + 1 })}
                onClick={() => onReact(emoji)}
              >
                {emoji}
              </button>
            );
          })}
        </fieldset>
      )}
      <ControlButton
        label={text.reactions}
        icon="smile"
        shortcut="1–6"
        class={open ? "control--active" : undefined}
        expanded={open}
        controls={open ? "reaction-menu" : undefined}
        disabled={disabled}
        buttonRef={button}
        onClick={() => (open ? close() : setOpen(true))}
      />
    </div>
  );
}
