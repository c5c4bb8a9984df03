/**
 * What every tile has, whoever it shows (TileFrame), and the person it shows (Person): split from
 * Tile.tsx, which keeps the two kinds of tile (ours and another person's) and what differs
 * between them. Full screen for one tile lives here too, since only the frame offers it.
 */
import type { ReadonlySignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { labelText, type NameLabel } from "../call/names";
import { t } from "../i18n/active";
import { format } from "../i18n/format";
import { chooseOrdinal } from "../i18n/plural";
import { Avatar } from "./Avatar";
import { Icon } from "./Icon";
import { SpeakingBars } from "./SpeakingBars";
import "./Tile.css";
import "./TileEtiquette.css";

export interface Person {
  name: string;
  /** How the name is shown: with a tag when someone else has the same name. Defaults to the name alone. */
  label?: NameLabel;
  stream: MediaStream | null;
  /** Microphone on. */
  audio?: boolean;
  /** Camera on. */
  video?: boolean;
  /** Sharing a screen (sent in the camera's place). */
  screen?: boolean;
  /** A signal, so that only this tile redraws when it changes (a plain value for previews and tests). */
  speaking?: boolean | ReadonlySignal<boolean>;
  /** The loudest of those speaking. */
  active?: boolean | ReadonlySignal<boolean>;
  /** How loud, in dBFS: the speaking bars' height (bound to their style, so the tile does not redraw). */
  level?: ReadonlySignal<number>;
  pinned?: boolean;
  /** Shown large, the others in a strip (pinned, or presenting). */
  spotlight?: boolean;
  /** Pins this tile large, or unpins it. */
  onPin?: () => void;
  /** We chose not to see their video (their avatar instead). */
  videoHidden?: boolean;
  /** Their camera as a thumbnail in a corner while they share their screen. */
  pip?: MediaStream | null | undefined;
  /** The raised hand's place in the queue (1 went up first), or absent. */
  hand?: number | undefined;
  /** Reactions floating over the tile now (the page announces them: here they are pictures). */
  reactions?: readonly { key: number; emoji: string }[];
}

export interface TileFrameProps {
  testId: string;
  peerId?: string;
  person: Person;
  caption: ComponentChildren;
  video: ComponentChildren;
  /** A small video in a corner (the presenter's camera beside the screen). */
  pip?: ComponentChildren;
  badge?: ComponentChildren;
  actions?: ComponentChildren;
  /**
   * How wide the picture is drawn, in device pixels, whenever that changes; null while no picture
   * is drawn (camera off, video hidden, or the tile gone). In SFU mode the call asks for the layer
   * that fits (sfu-plan.ts).
   */
  onWidth?: (width: number | null) => void;
}

/**
 * What every tile has: the video (kept mounted even with the camera off, since it also plays the
 * person's sound), an avatar when there is no picture, the name with a muted badge, the speaking
 * indicator, and buttons to pin the tile or fill the screen with it.
 */
export function TileFrame({ testId, peerId, person, caption, video, pip, badge, actions, onWidth }: TileFrameProps) {
  const ref = useRef<HTMLElement>(null);
  const fullscreen = useFullscreen(ref);
  const { audio = true, screen = false, pinned = false, onPin } = person;
  const speaking = read(person.speaking);
  const active = read(person.active);
  const name = labelText(labelOf(person));
  const spotlight = person.spotlight === true;
  const text = t();
  const picture = person.stream !== null && person.videoHidden !== true && (screen || person.video !== false);
  useDrawnWidth(ref, picture, onWidth);
  const classes = [
    "tile",
    screen && "tile--screen",
    speaking && audio && "tile--speaking",
    active && "tile--active",
    spotlight && "tile--spotlight",
  ];
  return (
    <figure
      ref={ref}
      class={classes.filter(Boolean).join(" ")}
      data-testid={testId}
      data-peer-id={peerId}
      data-screen={screen ? "true" : undefined}
    >
      {video}
      {!picture && <Avatar name={person.name} />}
      {pip && picture && screen && (
        <div class="tile__pip" data-testid="camera-pip" role="img" aria-label={format(text.cameraOf, { name })}>
          {pip}
        </div>
      )}
      {person.reactions && person.reactions.length > 0 && (
        <span class="tile__reactions" aria-hidden="true">
          {person.reactions.map((r) => (
            <span key={r.key} class="tile__reaction" data-testid="reaction">
              {r.emoji}
            </span>
          ))}
        </span>
      )}
      <figcaption class="tile__name">
        {person.hand !== undefined && (
          <span
            class="tile__hand"
            role="img"
            aria-label={chooseOrdinal(text.locale, text.handRaisedPlace, person.hand)}
            data-testid="hand"
            data-order={person.hand}
          >
            <Icon name="hand" />
            {person.hand}
          </span>
        )}
        {!audio && (
          <span class="tile__muted" role="img" aria-label={text.micMuted}>
            <Icon name="mic-off" />
          </span>
        )}
        <span class="tile__caption">{caption}</span>
        {speaking && audio && <SpeakingBars level={person.level} />}
      </figcaption>
      {screen && <span class="tile__tag">{text.presenting}</span>}
      {badge}
      <div class="tile__actions">
        {onPin && (
          <button
            type="button"
            class="tile__action"
            aria-label={format(pinned ? text.unpin : text.pin, { name })}
            data-on={pinned ? "true" : undefined}
            onClick={onPin}
          >
            <Icon name="pin" />
          </button>
        )}
        {fullscreen.supported && (
          <button
            type="button"
            class="tile__action"
            aria-label={fullscreen.active ? text.exitFullScreen : format(text.showFullScreen, { name })}
            onClick={fullscreen.toggle}
          >
            <Icon name={fullscreen.active ? "exit-fullscreen" : "fullscreen"} />
          </button>
        )}
        {actions}
      </div>
    </figure>
  );
}

export function labelOf(person: Person): NameLabel {
  return person.label ?? { name: person.name, tag: null };
}

/** Full screen for one tile, following the browser's own state (Escape leaves it without asking us). */
function useFullscreen(ref: { current: HTMLElement | null }) {
  const supported = typeof document !== "undefined" && document.fullscreenEnabled === true;
  const [active, setActive] = useState(false);
  useEffect(() => {
    if (!supported) return;
    const update = () => setActive(document.fullscreenElement !== null && document.fullscreenElement === ref.current);
    document.addEventListener("fullscreenchange", update);
    return () => document.removeEventListener("fullscreenchange", update);
  }, [supported, ref]);
  const toggle = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
    else void ref.current?.requestFullscreen().catch(() => {});
  };
  return { supported, active, toggle };
}

function read(value: boolean | ReadonlySignal<boolean> | undefined): boolean {
  return typeof value === "object" ? value.value : value === true;
}

/** Reports the tile's width in device pixels while it draws a picture (ResizeObserver), null otherwise. */
function useDrawnWidth(
  ref: { current: HTMLElement | null },
  picture: boolean,
  onWidth: ((width: number | null) => void) | undefined,
): void {
  const report = useRef(onWidth);
  report.current = onWidth;
  const active = onWidth !== undefined;
  useEffect(() => {
    const element = ref.current;
    if (!active || !element) return;
    if (!picture || typeof ResizeObserver !== "function") {
      report.current?.(null);
      return;
    }
    const observer = new ResizeObserver(([entry]) => {
      const width = entry?.contentRect.width ?? 0;
      report.current?.(Math.round(width * (globalThis.devicePixelRatio || 1)));
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      report.current?.(null);
    };
  }, [ref, picture, active]);
}
