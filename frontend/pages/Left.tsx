import { Link } from "../components/Link";

/** Shown after "Leave call": leaving is a page of its own so a mis-click is one click away from undone. */
export function Left({ room, onRejoin }: { room: string; onRejoin(): void }) {
  return (
    <main class="page left">
      <h1>You left {room}</h1>
      <p class="lede">Your camera and microphone are off. The others can carry on without you.</p>
      <div class="actions">
        <button type="button" class="primary" onClick={onRejoin}>
          Rejoin
        </button>
        <Link href="/">New room</Link>
      </div>
    </main>
  );
}
