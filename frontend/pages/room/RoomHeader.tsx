/**
 * The bar above the call: the room's name, where the call stands (said out loud when it changes),
 * who locked the room, and the way back to a hidden self view.
 */
import type { ComponentChildren } from "preact";
import type { CallState } from "../../call/call";
import { labelFor, type NameLabel } from "../../call/names";
import { PersonName } from "../../components/PersonName";

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
  return (
    <header class="room__bar">
      <h1 class="room__name">{room}</h1>
      <p class="room__status" aria-live="polite">
        {describeStatus(status, call.peers.value.length)}
      </p>
      {lock && !outside && (
        <p class="badge">
          Locked by{" "}
          {lock.byId !== null && lock.byId === selfId ? (
            "you"
          ) : (
            <PersonName label={labelFor(labels, lock.byId, lock.by)} />
          )}
        </p>
      )}
      {!selfShown && !outside && (
        <button type="button" class="link-button" onClick={onShowSelf}>
          Show self view
        </button>
      )}
      {viewButtons && !outside && <div class="view-buttons">{viewButtons}</div>}
    </header>
  );
}

function describeStatus(status: CallState["status"]["value"], others: number): string {
  switch (status) {
    case "connecting":
      return "Connecting…";
    case "outside":
      return "Locked";
    case "joined":
      return others === 0
        ? "Waiting for others — share this page's address to invite them."
        : `${others + 1} people in the call`;
    case "reconnecting":
      return "Reconnecting…";
    case "error":
      return "Disconnected";
    case "removed":
      return "Removed from the call";
    case "left":
      return "You left";
  }
}
