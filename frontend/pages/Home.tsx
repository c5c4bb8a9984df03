import { useEffect, useRef, useState } from "preact/hooks";
import { normalizeRoomName } from "../../common/room-name";
import { isEasyToGuess } from "../../common/room-name-hint";
import { SUGGESTED_NAME_BITS, type SuggestName, suggestedNameCount, suggestRoomName } from "../room-name-suggestion";
import { navigate } from "../router";
import { roomPath } from "../routes";
import "./Home.css";

export function Home({ suggestName = suggestRoomName }: { suggestName?: SuggestName } = {}) {
  const [input, setInput] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const typed = useRef(false);
  /** Bumped by every request for a suggestion (and on unmount): only the latest may fill the field. */
  const latest = useRef(0);

  /** Fills the field with a new suggestion; the first one never overwrites what someone already typed. */
  const suggest = async ({ unlessTyped }: { unlessTyped: boolean }) => {
    const ticket = ++latest.current;
    const name = await suggestName();
    if (name === null || ticket !== latest.current || (unlessTyped && typed.current)) return;
    typed.current = false;
    setInput(name);
    setProblem(null);
  };

  useEffect(() => {
    void suggest({ unlessTyped: true });
    return () => {
      latest.current++;
    };
  }, []);

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const result = normalizeRoomName(input);
    if (!result.ok) {
      setProblem(result.reason);
      return;
    }
    navigate(roomPath(result.name));
  };

  const normalized = normalizeRoomName(input);
  const easyToGuess = input.trim() !== "" && normalized.ok && isEasyToGuess(normalized.name);

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
              typed.current = true;
              setInput(event.currentTarget.value);
              setProblem(null);
            }}
            aria-invalid={problem !== null}
            aria-describedby="room-name-problem room-name-hint room-name-note"
          />
          <button type="button" onClick={() => void suggest({ unlessTyped: false })}>
            New name
          </button>
          <button type="submit" class="primary">
            Join
          </button>
        </div>
        {/* Both always in the DOM: screen readers announce changes to a live region that already exists. */}
        <p id="room-name-problem" class="form-problem" role="alert">
          {problem}
        </p>
        <p id="room-name-hint" class="form-hint" role="status">
          {easyToGuess && !problem && "Easy to guess — use a suggested name or lock the room once you're in."}
        </p>
        <p id="room-name-note" class="field-note">
          Suggested names are one of 2^{SUGGESTED_NAME_BITS} (about {suggestedNameCount()}), so nobody stumbles into
          your room.
        </p>
      </form>
    </main>
  );
}
