/**
 * The call's tiles: ours (SelfTile: muted, mirrored, a button to hide it) and another person's
 * (RemoteTile: their sound, safety-code badge, quality, per-person controls). What every tile
 * shares is the frame (TileFrame.tsx); the avatar is Avatar.tsx.
 */
import type { ReadonlySignal } from "@preact/signals";
import { heardVolume, type Listening } from "../call/listening";
import { labelText } from "../call/names";
import type { ConnectionQuality } from "../call/peer/quality";
import { t } from "../i18n/active";
import { fill, format } from "../i18n/format";
import { Icon } from "./Icon";
import { LocalNote, PersonMenu } from "./PersonControls";
import { PersonName } from "./PersonName";
import { QualityBadge } from "./QualityBadge";
import { StreamVideo } from "./StreamVideo";
import { labelOf, type Person, TileFrame } from "./TileFrame";

// The hair check shows the same avatar; it imports it from here, so the tiles' styles load in the same order.
export { Avatar } from "./Avatar";

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
  /** How wide the picture is drawn (TileFrame's onWidth). */
  onWidth?: (width: number | null) => void;
}

export function RemoteTile(props: RemoteTileProps) {
  const { id, quality, onRemove, onVerify, verified, sinkId, listening, onListening, onWidth, ...person } = props;
  const name = labelText(labelOf(person));
  const text = t();
  const hidden = listening?.videoHidden === true;
  return (
    <TileFrame
      testId="remote-tile"
      peerId={id}
      onWidth={onWidth}
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
