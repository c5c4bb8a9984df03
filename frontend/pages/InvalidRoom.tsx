import type { RoomNameProblem } from "../../common/room-name";
import { Link } from "../components/Link";
import { t } from "../i18n/active";
import { fill } from "../i18n/format";
import { roomNameProblem } from "../i18n/problems";

export function InvalidRoom({ input, problem }: { input: string; problem: RoomNameProblem | "bad-link" }) {
  const text = t();
  return (
    <main class="page">
      <h1>{fill(text.notARoomName, { input: <bdi dir="ltr">{input}</bdi> })}</h1>
      <p>{roomNameProblem(problem)}</p>
      <p>
        <Link href="/">{text.chooseAnotherRoom}</Link>
      </p>
    </main>
  );
}
