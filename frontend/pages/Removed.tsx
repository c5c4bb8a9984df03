import type { NameLabel } from "../call/names";
import { Link } from "../components/Link";
import { PersonName } from "../components/PersonName";
import { t } from "../i18n/active";
import { fill } from "../i18n/format";

/** Shown to someone removed from a call. No "rejoin": coming back is up to the people inside. */
export function Removed({ room, by }: { room: string; by: NameLabel | null }) {
  const text = t();
  const roomRef = <bdi class="room-ref">{room}</bdi>;
  return (
    <main class="page removed">
      <h1>{text.youWereRemoved}</h1>
      <p>
        {by
          ? fill(text.removedYouFrom, { name: <PersonName label={by} />, room: roomRef })
          : fill(text.someoneRemovedYou, { room: roomRef })}
      </p>
      <p>
        <Link href="/">{text.backHome}</Link>
      </p>
    </main>
  );
}
