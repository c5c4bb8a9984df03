import { useState } from "preact/hooks";
import { normalizeRoomName } from "../../worker/room-name";
import { navigate } from "../router";
import { roomPath } from "../routes";

export function Home() {
  const [input, setInput] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const result = normalizeRoomName(input);
    if (!result.ok) {
      setProblem(result.reason);
      return;
    }
    navigate(roomPath(result.name));
  };

  return (
    <main class="page home">
      <h1>natter</h1>
      <p class="lede">Video calls where a room is a link. Pick a name, share the address, talk.</p>
      <form class="join-form" onSubmit={onSubmit} noValidate>
        <label for="room-name">Room name</label>
        <div class="join-form__row">
          <input
            id="room-name"
            name="room"
            type="text"
            autocomplete="off"
            autocapitalize="none"
            spellcheck={false}
            placeholder="e.g. team-sync"
            value={input}
            onInput={(event) => {
              setInput(event.currentTarget.value);
              setProblem(null);
            }}
            aria-invalid={problem !== null}
            aria-describedby="room-name-problem"
          />
          <button type="submit">Join</button>
        </div>
        {/* Always in the DOM: screen readers announce changes to a live region that already exists. */}
        <p id="room-name-problem" class="form-problem" role="alert">
          {problem}
        </p>
      </form>
    </main>
  );
}
