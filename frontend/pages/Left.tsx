import { Link } from "../components/Link";
import { t } from "../i18n/active";
import { fill } from "../i18n/format";

/** Shown after "Leave call": leaving is a page of its own so a mis-click is one click away from undone. */
export function Left({ room, onRejoin }: { room: string; onRejoin(): void }) {
  const text = t();
  return (
    <main class="page left">
      <h1>{fill(text.leftRoom, { room: <bdi class="room-ref">{room}</bdi> })}</h1>
      <p class="lede">{text.leftLede}</p>
      <div class="actions">
        <button type="button" class="primary" onClick={onRejoin}>
          {text.rejoin}
        </button>
        <Link href="/">{text.newRoom}</Link>
      </div>
    </main>
  );
}
