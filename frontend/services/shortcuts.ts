import { REACTIONS, type Reaction } from "../../common/protocol";
import type { SentenceKey } from "../i18n/problem";

/** `react-N` sends the Nth of the offered reactions (common/protocol.ts REACTIONS), 1-based. */
export type ShortcutAction =
  | "microphone"
  | "camera"
  | "screen"
  | "chat"
  | "hand"
  | "people"
  | "layout"
  | "pip"
  | `react-${number}`
  | "help"
  | "push-to-talk";

export interface Shortcut {
  /** The key as the code knows it (a letter is also its label in every language). */
  readonly key: string;
  /** A key whose name is a word ("Space"): the catalog entry that names it. */
  readonly label?: SentenceKey;
  readonly action: ShortcutAction;
  /** The catalog entry that says what it does ({emoji}: the reaction a digit sends). */
  readonly description: SentenceKey;
  readonly reaction?: Reaction;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: "M", action: "microphone", description: "shortcutMicrophone" },
  { key: "Space", label: "keySpace", action: "push-to-talk", description: "shortcutPushToTalk" },
  { key: "V", action: "camera", description: "shortcutCamera" },
  { key: "D", action: "screen", description: "shortcutScreen" },
  { key: "C", action: "chat", description: "shortcutChat" },
  { key: "R", action: "hand", description: "shortcutHand" },
  { key: "P", action: "people", description: "shortcutPeople" },
  { key: "L", action: "layout", description: "shortcutLayout" },
  { key: "F", action: "pip", description: "shortcutPip" },
  // Digits, not letters: a reaction is sent at once, so it must not sit where a word is typed by mistake.
  ...REACTIONS.map((emoji, i) => ({
    key: `${i + 1}`,
    action: `react-${i + 1}` as const,
    description: "shortcutReact" as const,
    reaction: emoji,
  })),
  { key: "?", action: "help", description: "shortcutHelp" },
];

const BY_KEY: ReadonlyMap<string, ShortcutAction> = new Map(
  SHORTCUTS.filter(({ action }) => action !== "push-to-talk").flatMap(({ key, action }) => [
    [key, action],
    [key.toLowerCase(), action],
  ]),
);

/** Inputs where a letter is text; on checkboxes, buttons and sliders a letter means nothing. */
const NON_TEXT_INPUTS = new Set(["button", "checkbox", "radio", "range", "color", "file", "submit", "reset", "image"]);

type KeyEventLike = Pick<
  KeyboardEvent,
  "key" | "ctrlKey" | "metaKey" | "altKey" | "repeat" | "defaultPrevented" | "isComposing" | "target"
>;

/**
 * The call's action for a key press, or null. Single letters are only shortcuts when nobody is
 * typing (an "m" in the chat is an "m"), without Ctrl/Cmd/Alt (those belong to the browser and
 * the system), not held down (auto-repeat would flap the microphone), and not inside a dialog,
 * which has its own keys.
 */
export function shortcutFor(event: KeyEventLike): ShortcutAction | null {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.repeat || event.isComposing)
    return null;
  const action = BY_KEY.get(event.key);
  if (!action || isTyping(event.target) || insideDialog(event.target)) return null;
  return action;
}

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(target.type);
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLElement && target.isContentEditable;
}

function insideDialog(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest("dialog") !== null;
}

/**
 * Elements Space presses, types into or scrolls (the chat log): keyboard users need it there more
 * than push to talk.
 */
const SPACE_TAKERS =
  "button, a[href], input, select, textarea, summary, [contenteditable], [role=log], " +
  "[role=button], [role=checkbox], [role=switch], [role=menuitem], [role=option], [role=radio], [role=tab]";

/**
 * Whether a Space key event is push to talk (pressed or released): anywhere in the call but in a
 * text field, on a control Space would press, or in a dialog; never with Ctrl/Cmd/Alt. Auto-repeat
 * counts (it is the same hold), so that the page does not scroll under a held Space.
 */
export function isPushToTalk(event: Omit<KeyEventLike, "repeat">): boolean {
  if (event.key !== " " || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return false;
  if (event.isComposing || isTyping(event.target) || insideDialog(event.target)) return false;
  return !(event.target instanceof Element && event.target.closest(SPACE_TAKERS) !== null);
}
