/**
 * The room key (pass phrase) field, the same wherever a key is typed: the browser must neither
 * autocomplete, capitalize nor spell-check it, since any of those would quietly change the key.
 */
import type { ComponentChildren, Ref } from "preact";
import { t } from "../i18n/active";
import { type Problem, say } from "../i18n/problems";

interface KeyFieldProps {
  /** The form's useId(): the input is `${id}-key` and its problem `${id}-problem`. */
  id: string;
  value: string;
  onValue(value: string): void;
  /** Why the key cannot be used, shown under the field and announced; null when there is nothing to say. */
  problem: Problem | null;
  /** Typed from memory at the door (hidden), or made up by us to be copied and shared (shown). */
  hidden: boolean;
  /** The button beside the field (enter, copy). */
  action: ComponentChildren;
  /** Notes between the field and its problem, e.g. how strong a suggested key is. */
  children?: ComponentChildren;
  /** Ids of more text describing the field, read before and after its problem. */
  describedBy?: { before?: string; after?: string };
  inputRef?: Ref<HTMLInputElement>;
}

export function KeyField({
  id,
  value,
  onValue,
  problem,
  hidden,
  action,
  children,
  describedBy,
  inputRef,
}: KeyFieldProps) {
  const field = {
    ref: inputRef,
    id: `${id}-key`,
    autocomplete: "off",
    autocapitalize: "none",
    spellcheck: false,
    value,
    onInput: (event: { currentTarget: HTMLInputElement }) => onValue(event.currentTarget.value),
    "aria-invalid": problem !== null,
    "aria-describedby": [describedBy?.before, `${id}-problem`, describedBy?.after].filter(Boolean).join(" "),
  } as const;
  return (
    <>
      <label for={`${id}-key`}>{t().roomKey}</label>
      <div class="field-row">
        {hidden ? <input type="password" {...field} /> : <input type="text" {...field} />}
        {action}
      </div>
      {children}
      <p id={`${id}-problem`} class="form-problem" role="alert">
        {problem && say(problem)}
      </p>
    </>
  );
}
