import type { ReadonlySignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { heardVolume, type Listening } from "../call/listening";
import { labelText, type NameLabel } from "../call/names";
import type { ConnectionQuality } from "../call/peer/quality";
import { t } from "../i18n/active";
import { fill, format } from "../i18n/format";
import { chooseOrdinal } from "../i18n/plural";
import { Icon } from "./Icon";
import { LocalNote, PersonMenu } from "./PersonControls";
import { PersonName } from "./PersonName";
import { QualityBadge } from "./QualityBadge";
import { StreamVideo } from "./StreamVideo";
import "./Tile.css";
import "./TileEtiquette.css";

interface Person {
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

interface SelfTileProps extends Person {
  onHide?: () => void;
}

/** Our own preview: muted so we do not hear ourselves, mirrored like a mirror (but a shared screen is not). */
export function SelfTile({ onHide, ...person }: SelfTileProps) {
  const sharing = person.screen === true;
  const text = t();
  return (
    <TileFrame
      testId="self-tile"
      person={person}
      caption={fill(text.selfCaption, { name: <PersonName label={labelOf(person)} /> })}
      video={<StreamVideo stream={person.stream} muted mirrored={!sharing} />}
      pip={person.pip && <StreamVideo stream={person.pip} muted mirrored />}
      actions={
        onHide && (
          <button type="button" class="tile__action" aria-label={text.hideSelfView} onClick={onHide}>
            <Icon name="hide" />
          </button>
        )
      }
    />
  );
}

interface RemoteTileProps extends Person {
  id: string;
  /** The connection's quality badge; absent in views that have no engine behind them. */
  quality?: ReadonlySignal<ConnectionQuality | null>;
  /** Starts removing this person from the call (the room page decides whether to lock first). */
  onRemove?: () => void;
  /** Opens the safety code dialog for this connection. */
  onVerify?: () => void;
  /** Whether the people marked this connection's current safety code as verified. */
  verified?: boolean;
  /** The speaker chosen for the call (setSinkId). */
  sinkId?: string | undefined;
  /** How we listen to and watch this person, for us only (mute, volume, hidden video). */
  listening?: Listening | undefined;
  /** Changes `listening`; absent, the tile has no menu for it. */
  onListening?: (change: Partial<Listening>) => void;
}

export function RemoteTile(props: RemoteTileProps) {
  const { id, quality, onRemove, onVerify, verified, sinkId, listening, onListening, ...person } = props;
  const name = labelText(labelOf(person));
  const text = t();
  const hidden = listening?.videoHidden === true;
  return (
    <TileFrame
      testId="remote-tile"
      peerId={id}
      person={{ ...person, videoHidden: hidden }}
      caption={<PersonName label={labelOf(person)} />}
      pip={!hidden && person.pip && <StreamVideo stream={person.pip} muted />}
      video={
        <StreamVideo
          stream={person.stream}
          sinkId={sinkId}
          volume={listening ? heardVolume(listening) : 1}
          audioOnly={hidden}
        />
      }
      badge={
        <>
          {listening && <LocalNote listening={listening} />}
          {verified && (
            <span class="tile__verified" role="img" aria-label={text.safetyCodeVerified}>
              <Icon name="shield" /> {text.verified}
            </span>
          )}
          {quality && <QualityBadge quality={quality} />}
        </>
      }
      actions={
        <>
          {onListening && <PersonMenu id={id} name={name} listening={listening} onChange={onListening} />}
          {onVerify && (
            <button
              type="button"
              class="tile__action"
              aria-label={format(text.verifyWith, { name })}
              aria-haspopup="dialog"
              onClick={onVerify}
            >
              <Icon name="shield" />
            </button>
          )}
          {onRemove && (
            <button
              type="button"
              class="tile__action"
              aria-label={format(text.removeFromCall, { name })}
              onClick={onRemove}
            >
              <Icon name="remove-person" />
            </button>
          )}
        </>
      }
    />
  );
}

interface TileFrameProps {
  testId: string;
  peerId?: string;
  person: Person;
  caption: ComponentChildren;
  video: ComponentChildren;
  /** A small video in a corner (the presenter's camera beside the screen). */
  pip?: ComponentChildren;
  badge?: ComponentChildren;
  actions?: ComponentChildren;
}

/**
 * What every tile has: the video (kept mounted even with the camera off, since it also plays the
 * person's sound), an avatar when there is no picture, the name with a muted badge, the speaking
 * indicator, and buttons to pin the tile or fill the screen with it.
 */
function TileFrame({ testId, peerId, person, caption, video, pip, badge, actions }: TileFrameProps) {
  const ref = useRef<HTMLElement>(null);
  const fullscreen = useFullscreen(ref);
  const { audio = true, screen = false, pinned = false, onPin } = person;
  const speaking = read(person.speaking);
  const active = read(person.active);
  const name = labelText(labelOf(person));
  const spotlight = person.spotlight === true;
  const text = t();
  const picture = person.stream !== null && person.videoHidden !== true && (screen || person.video !== false);
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
        {speaking && audio && (
          <span class="tile__speaking" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
        )}
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

function labelOf(person: Person): NameLabel {
  return person.label ?? { name: person.name, tag: null };
}

/** Initials on a colour of their own, so people with the camera off are still told apart at a glance. */
export function Avatar({ name }: { name: string }) {
  return (
    <span class="tile__avatar" data-testid="avatar" aria-hidden="true">
      <span class="tile__initials" style={{ backgroundColor: `hsl(${hue(name)} 45% 32%)` }}>
        {initials(name)}
      </span>
    </span>
  );
}

/** "Ada Lovelace" → "AL", "grace" → "G"; by code point, so an emoji or a CJK name is not cut in half. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = [...(words[0] ?? "?")][0] ?? "?";
  const last = words.length > 1 ? ([...(words.at(-1) ?? "")][0] ?? "") : "";
  return (first + last).toUpperCase();
}

function hue(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  return hash;
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
