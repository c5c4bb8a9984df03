import { useEffect, useRef, useState } from "preact/hooks";
import { normalizeRoomName, type RoomNameProblem } from "../../common/room-name";
import { isEasyToGuess } from "../../common/room-name-hint";
import { LanguagePicker } from "../components/LanguagePicker";
import { t } from "../i18n/active";
import { format } from "../i18n/format";
import { roomNameProblem } from "../i18n/problems";
import { SUGGESTED_NAME_BITS, type SuggestName, suggestedNameCount, suggestRoomName } from "../room-name-suggestion";
import { navigate } from "../router";
import { roomPath } from "../routes";
import "./Home.css";

export function Home({ suggestName = suggestRoomName }: { suggestName?: SuggestName } = {}) {
  const [input, setInput] = useState("");
  const [problem, setProblem] = useState<RoomNameProblem | null>(null);
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
      setProblem(result.problem);
      return;
    }
    navigate(roomPath(result.name));
  };

  const normalized = normalizeRoomName(input);
  const easyToGuess = input.trim() !== "" && normalized.ok && isEasyToGuess(normalized.name);
  const text = t();

  return (
    <main class="page home">
      <h1>natter</h1>
      <p class="lede">{text.homeLede}</p>
      <form class="join-form" onSubmit={onSubmit} noValidate>
        <label for="room-name">{text.roomName}</label>
        <div class="join-form__row">
          <input
            id="room-name"
            name="room"
            type="text"
            autocomplete="off"
            autocapitalize="none"
            spellcheck={false}
            dir="ltr"
            placeholder={text.roomNamePlaceholder}
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
            {text.newName}
          </button>
          <button type="submit" class="primary">
            {text.join}
          </button>
        </div>
        {/* Both always in the DOM: screen readers announce changes to a live region that already exists. */}
        <p id="room-name-problem" class="form-problem" role="alert">
          {problem && roomNameProblem(problem)}
        </p>
        <p id="room-name-hint" class="form-hint" role="status">
          {easyToGuess && !problem && text.easyToGuess}
        </p>
        <p id="room-name-note" class="field-note">
          {format(text.suggestedNames, { bits: SUGGESTED_NAME_BITS, count: suggestedNameCount(text.locale) })}
        </p>
      </form>
      <LanguagePicker class="home__language" />
    </main>
  );
}
