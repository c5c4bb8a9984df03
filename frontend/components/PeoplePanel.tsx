/**
 * Everyone in the call in one list, beside the call (over it on a phone, where tiles are small):
 * raised hands first in the order they went up, then us, then the others as they joined. Each
 * row says muted, camera off, sharing and connection quality in words, and holds what can be
 * done to that person (lower their hand, remove them) plus a slot for more per-person controls.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import type { CallState, Peer } from "../call/call";
import { labelFor, labelText, type NameLabel } from "../call/names";
import { t } from "../i18n/active";
import { fill, format } from "../i18n/format";
import { chooseOrdinal } from "../i18n/plural";
import { Icon } from "./Icon";
import { PersonName } from "./PersonName";
import { QualityBadge } from "./QualityBadge";
import "../styles/controls.css";
import "./SidePanel.css";
import "./PeoplePanel.css";

interface PeoplePanelProps {
  call: CallState;
  labels: ReadonlyMap<string, NameLabel>;
  /** Lowers our hand (no id) or someone else's. */
  onLowerHand(id?: string): void;
  /** Absent while removing is not possible (not yet, or no longer, in the call). */
  onRemove: ((peer: Peer) => void) | undefined;
  onClose(): void;
  /**
   * Per-person controls drawn at the end of each other person's row (mute for me, volume, hide
   * video): the slot the tile controls plug into, so they are reachable on a phone too.
   */
  personControls?: (peer: Peer) => ComponentChildren;
}

interface Row {
  id: string;
  label: NameLabel;
  peer: Peer | null;
  audio: boolean;
  video: boolean;
  screen: boolean;
  /** Place in the hand queue (1-based), or 0 for no hand. */
  hand: number;
}

export function PeoplePanel({ call, labels, onLowerHand, onRemove, onClose, personControls }: PeoplePanelProps) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const rows = rowsOf(call, labels);
  const text = t();
  return (
    <section
      class="people"
      id="people-panel"
      aria-labelledby={`${id}-title`}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <header class="people__header">
        <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
          {format(text.peopleHeading, { count: rows.length.toLocaleString(text.locale) })}
        </h2>
        <button type="button" class="icon-button" aria-label={text.closePeople} onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      <ul class="people__list">
        {rows.map((row) => (
          <PersonRow
            key={row.id}
            row={row}
            onLowerHand={onLowerHand}
            onRemove={onRemove}
            personControls={personControls}
          />
        ))}
      </ul>
    </section>
  );
}

function PersonRow({
  row,
  onLowerHand,
  onRemove,
  personControls,
}: { row: Row } & Omit<PeoplePanelProps, "call" | "labels" | "onClose">) {
  const name = labelText(row.label);
  const { peer } = row;
  const text = t();
  return (
    <li class="people__row" data-testid="person" data-peer-id={peer?.id}>
      <div class="people__who">
        <span class="people__name">
          {peer === null ? (
            fill(text.selfCaption, { name: <PersonName label={row.label} /> })
          ) : (
            <PersonName label={row.label} />
          )}
        </span>
        <span class="people__states">
          {row.hand > 0 && (
            <span class="people__state people__state--hand" data-testid="person-hand">
              <Icon name="hand" /> {chooseOrdinal(text.locale, text.handRaisedPlace, row.hand)}
            </span>
          )}
          {!row.audio && (
            <span class="people__state">
              <Icon name="mic-off" /> {text.personMuted}
            </span>
          )}
          {!row.video && !row.screen && (
            <span class="people__state">
              <Icon name="camera-off" /> {text.cameraOff}
            </span>
          )}
          {row.screen && (
            <span class="people__state">
              <Icon name="screen" /> {text.sharingScreen}
            </span>
          )}
          {peer?.quality && <QualityBadge quality={peer.quality} />}
        </span>
      </div>
      <div class="people__actions">
        {row.hand > 0 && (
          <button
            type="button"
            class="people__action"
            aria-label={peer ? format(text.lowerHandFor, { name }) : text.lowerOwnHand}
            onClick={() => onLowerHand(peer?.id)}
          >
            {text.lowerHand}
          </button>
        )}
        {/* Per-person controls (mute for me, volume, hide video) mount here. */}
        {peer && personControls?.(peer)}
        {peer && onRemove && (
          <button
            type="button"
            class="people__action people__action--danger"
            aria-label={format(text.removeFromCall, { name })}
            onClick={() => onRemove(peer)}
          >
            {text.remove}
          </button>
        )}
      </div>
    </li>
  );
}

/** Hands first, in the order they went up; then us; then everyone else in join order. */
function rowsOf(call: CallState, labels: ReadonlyMap<string, NameLabel>): Row[] {
  const hands = call.hands.value;
  const selfId = call.selfId.value ?? "";
  const media = call.media;
  const selfName = call.selfName.value;
  const sharing = call.screenStream.value !== null;
  const self: Row = {
    id: selfId,
    label: labelFor(labels, selfId, selfName),
    peer: null,
    audio: media.micOn.value && media.audioTrack.value !== null,
    video: media.cameraOn.value && media.videoTrack.value !== null,
    screen: sharing,
    hand: hands.indexOf(selfId) + 1,
  };
  const others: Row[] = call.peers.value.map((peer) => ({
    id: peer.id,
    label: labelFor(labels, peer.id, peer.name),
    peer,
    audio: peer.audio,
    video: peer.video,
    screen: peer.screen,
    hand: hands.indexOf(peer.id) + 1,
  }));
  const everyone = [self, ...others];
  const raised = everyone.filter((r) => r.hand > 0).sort((a, b) => a.hand - b.hand);
  return [...raised, ...everyone.filter((r) => r.hand === 0)];
}
