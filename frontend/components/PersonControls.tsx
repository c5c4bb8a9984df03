/**
 * What we may do with one other person's media, for us only: mute them, set their volume, hide
 * their video. `PersonControls` is the plain group of controls, to mount wherever a person is
 * listed (a tile's menu, a people list row); `PersonMenu` is the tile's button that opens it.
 * The choices live in the engine (call/listening.ts); nothing here is sent to anyone.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { AS_SENT, heardVolume, type Listening } from "../call/listening";
import { t } from "../i18n/active";
import { format } from "../i18n/format";
import { Icon } from "./Icon";
import "./PersonControls.css";

export interface PersonControlsProps {
  /** The person's name as shown (with its tag when two share a name). */
  name: string;
  /** Our current choices for them; undefined means as they send it. */
  listening: Listening | undefined;
  onChange(change: Partial<Listening>): void;
}

export function PersonControls({ name, listening = AS_SENT, onChange }: PersonControlsProps) {
  const text = t();
  const volume = Math.round(listening.volume * 100);
  const percent = format(text.percent, { percent: volume });
  return (
    <fieldset class="person-controls" aria-label={format(text.forYouOnly, { name })}>
      <button
        type="button"
        class="person-controls__toggle"
        aria-pressed={listening.muted}
        onClick={() => onChange({ muted: !listening.muted })}
      >
        <Icon name={listening.muted ? "mic-off" : "speaker"} />
        <span>{text.muteForMe}</span>
      </button>
      <label class="person-controls__volume">
        <span>{text.volume}</span>
        <input
          type="range"
          min={0}
          max={100}
          step={5}
          value={volume}
          aria-label={format(text.volumeOf, { name })}
          aria-valuetext={percent}
          onInput={(event) => onChange({ volume: Number(event.currentTarget.value) / 100 })}
        />
        <output aria-hidden="true">{percent}</output>
      </label>
      <button
        type="button"
        class="person-controls__toggle"
        aria-pressed={listening.videoHidden}
        onClick={() => onChange({ videoHidden: !listening.videoHidden })}
      >
        <Icon name={listening.videoHidden ? "camera-off" : "camera"} />
        <span>{text.hideVideoForMe}</span>
      </button>
      <p class="person-controls__note">{text.onlyYouNotice}</p>
    </fieldset>
  );
}

/**
 * The tile's button for PersonControls and the panel it opens over the tile. Escape or a click
 * elsewhere closes it, and focus goes back to the button it came from.
 */
export function PersonMenu(props: PersonControlsProps & { id: string }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const panelId = `person-controls-${props.id}`;
  const text = t();
  useEffect(() => {
    if (!open) return;
    const inside = (target: EventTarget | null) =>
      target instanceof Node && (panel.current?.contains(target) === true || button.current?.contains(target) === true);
    const onPointer = (event: PointerEvent) => {
      if (!inside(event.target)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !inside(event.target)) return;
      event.stopPropagation();
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  return (
    <>
      <button
        ref={button}
        type="button"
        class="tile__action"
        aria-label={format(text.soundAndVideoOf, { name: props.name })}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        data-on={open ? "true" : undefined}
        onClick={() => setOpen(!open)}
      >
        <Icon name="speaker" />
      </button>
      {open && (
        <div ref={panel} id={panelId} class="person-menu">
          <PersonControls {...props} />
        </div>
      )}
    </>
  );
}

/** What we changed for ourselves only, said on the tile so a hidden video is not taken for a camera turned off. */
export function LocalNote({ listening }: { listening: Listening }) {
  const text = t();
  const notes = [heardVolume(listening) === 0 && text.mutedForYou, listening.videoHidden && text.videoHiddenForYou];
  // A separator, not a word: the same in every language.
  const note = notes.filter(Boolean).join(" · ");
  return note ? <span class="tile__local">{note}</span> : null;
}
