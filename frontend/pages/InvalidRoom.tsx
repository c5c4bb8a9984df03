import { Link } from "../components/Link";

export function InvalidRoom({ input, reason }: { input: string; reason: string }) {
  return (
    <main class="page">
      <h1>“{input}” is not a room name</h1>
      <p>{reason}</p>
      <p>
        <Link href="/">Choose another room</Link>
      </p>
    </main>
  );
}
