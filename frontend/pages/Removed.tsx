import type { NameLabel } from "../call/names";
import { Link } from "../components/Link";
import { PersonName } from "../components/PersonName";

/** Shown to someone removed from a call. No "rejoin": coming back is up to the people inside. */
export function Removed({ room, by }: { room: string; by: NameLabel | null }) {
  return (
    <main class="page removed">
      <h1>You were removed from the call</h1>
      <p>
        {by ? (
          <>
            <PersonName label={by} /> removed you from {room}.
          </>
        ) : (
          `Someone in ${room} removed you.`
        )}
      </p>
      <p>
        <Link href="/">Back to home</Link>
      </p>
    </main>
  );
}
