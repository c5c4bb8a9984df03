/**
 * The bar above the call: the room's name, where the call stands (said out loud when it changes),
 * who locked the room, that a big call goes through the SFU, and the way back to a hidden self view.
 */
import type { ComponentChildren } from "preact";
import type { CallState } from "../../call/call";
import { labelFor, type NameLabel } from "../../call/names";
import { PersonName } from "../../components/PersonName";
import { t } from "../../i18n/active";
import type { Catalog } from "../../i18n/en";
import { fill } from "../../i18n/format";
import { choose } from "../../i18n/plural";

interface RoomHeaderProps {
  room: string;
  call: CallState;
  labels: ReadonlyMap<string, NameLabel>;
  selfShown: boolean;
  onShowSelf(): void;
  /** How the call is shown (layout, floating window), at the far end of the bar. */
  viewButtons?: ComponentChildren;
}

export function RoomHeader({ room, call, labels, selfShown, onShowSelf, viewButtons }: RoomHeaderProps) {
  const status = call.status.value;
  const lock = call.lock.value;
  const selfId = call.selfId.value;
  const outside = status === "outside";
  const text = t();
  return (
    <header class="room__bar">
      <h1 class="room__name">
        <bdi>{room}</bdi>
      </h1>
      <p class="room__status" aria-live="polite">
        {describeStatus(status, call.peers.value.length, text)}
      </p>
      {lock && !outside && (
        <p class="badge">
          {lock.byId !== null && lock.byId === selfId
            ? text.lockedByYou
            : fill(text.lockedBy, { name: <PersonName label={labelFor(labels, lock.byId, lock.by)} /> })}
        </p>
      )}
      {call.mediaRoute.value === "sfu" && !outside && (
        <p class="badge" data-call-mode="sfu">
          {text.bigCall}
        </p>
      )}
      {!selfShown && !outside && (
        <button type="button" class="link-button" onClick={onShowSelf}>
          {text.showSelfView}
        </button>
      )}
      {viewButtons && !outside && <div class="view-buttons">{viewButtons}</div>}
    </header>
  );
}

function describeStatus(status: CallState["status"]["value"], others: number, text: Catalog): string {
  switch (status) {
    case "connecting":
      return text.connecting;
    case "outside":
      return text.locked;
    case "joined":
      return others === 0 ? text.waitingForOthers : choose(text.locale, text.peopleInCall, others + 1);
    case "reconnecting":
      return text.reconnecting;
    case "error":
      return text.disconnected;
    case "removed":
      return text.removedFromCall;
    case "left":
      return text.youLeft;
  }
}
