/**
 * The live regions above the stage: what happened to the room (locks, someone guessing the key,
 * what the room refused us), people knocking, and our own notices. They stay in the DOM even
 * when empty, because screen readers announce changes only to live regions that already exist.
 */
import type { CallHandle, CallState } from "../../call/call";
import { labelFor, type NameLabel } from "../../call/names";
import { KnockRequests } from "../../components/KnockRequests";
import { PersonName } from "../../components/PersonName";
import { t } from "../../i18n/active";
import { fill } from "../../i18n/format";
import type { Problem } from "../../i18n/problem";
import { roomNotice, say } from "../../i18n/problems";

interface RoomAlertsProps {
  call: CallHandle;
  labels: ReadonlyMap<string, NameLabel>;
  /** Ours to say, e.g. why screen sharing did not start. */
  notice: Problem | null;
}

export function RoomAlerts({ call, labels, notice }: RoomAlertsProps) {
  return (
    <div class="room__alerts">
      <RoomNews call={call} labels={labels} />
      <KnockRequests
        knocks={call.knocks.value}
        labels={labels}
        onAdmit={(id) => call.admit(id)}
        onDeny={(id) => call.deny(id)}
      />
      <div class="room__news" role="status">
        {notice && <p class="notice">{say(notice)}</p>}
      </div>
    </div>
  );
}

/** What happened to the room that members should hear about: locks, and someone guessing the key. */
function RoomNews({ call, labels }: { call: CallState; labels: ReadonlyMap<string, NameLabel> }) {
  const news = call.lockNews.value;
  const text = t();
  const warning = call.guessWarning.value;
  const notice = call.roomNotice.value;
  // Both always in the DOM: screen readers announce changes to a live region that already exists.
  return (
    <>
      <div class="room__news" role="status">
        {warning && <p class="notice">{text.wrongKeyTried}</p>}
        {notice && <p class="notice">{roomNotice(notice)}</p>}
      </div>
      {/* The badge shows the lock; this says it out loud when it changes, and who unlocked. */}
      <p class="visually-hidden" aria-live="polite">
        {news &&
          (news.byId === call.selfId.value
            ? news.locked
              ? text.youLockedRoom
              : text.youUnlockedRoom
            : fill(news.locked ? text.someoneLockedRoom : text.someoneUnlockedRoom, {
                name: <PersonName label={labelFor(labels, news.byId, news.by)} />,
              }))}
      </p>
    </>
  );
}
