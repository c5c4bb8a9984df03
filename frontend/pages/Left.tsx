import { Link } from "../components/Link";

/** Shown after "Leave call": leaving is a page of its own so a mis-click is one click away from undone. */
export function Left({ room, onRejoin }: { room: string; onRejoin(): void }) {
  return (
    <main class="page left">
      <h1>You left {room}</h1>
      <div class="actions">
        <button type="button" onClick={onRejoin}>
          Rejoin
        </button>
        <Link href="/">Back to home</Link>
      </div>
    </main>
  );
}
