/**
 * "Your name", the same field before joining and in the settings: its limits match what the room
 * accepts, and its problem (display-name.ts, in the room's own words) is announced where it shows.
 */
import type { ComponentChildren } from "preact";
import { t } from "../i18n/active";
import { type Problem, say } from "../i18n/problems";

interface NameFieldProps {
  /** The form's useId(): the input is `${id}-name` and its problem `${id}-name-problem`. */
  id: string;
  value: string;
  onValue(value: string): void;
  /** Why the name cannot be used (display-name.ts says it in the room's words); null when it can. */
  problem: Problem | null;
  /** A button beside the field (e.g. "Save name"); the field and it then share a row. */
  action?: ComponentChildren;
}

export function NameField({ id, value, onValue, problem, action }: NameFieldProps) {
  const input = (
    <input
      id={`${id}-name`}
      type="text"
      autocomplete="nickname"
      maxLength={64}
      value={value}
      onInput={(event) => onValue(event.currentTarget.value)}
      aria-invalid={problem !== null}
      aria-describedby={`${id}-name-problem`}
    />
  );
  return (
    <>
      <label for={`${id}-name`}>{t().yourName}</label>
      {action ? (
        <div class="field-row">
          {input}
          {action}
        </div>
      ) : (
        input
      )}
      <p id={`${id}-name-problem`} class="form-problem" role="alert">
        {problem && say(problem)}
      </p>
    </>
  );
}
