import { REACTIONS } from "../../common/protocol";
import { REACTION_NAMES } from "./reactions";

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
  | "help";

export interface Shortcut {
  readonly key: string;
  readonly action: ShortcutAction;
  readonly description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: "M", action: "microphone", description: "Mute or unmute the microphone" },
  { key: "V", action: "camera", description: "Turn the camera off or on" },
  { key: "D", action: "screen", description: "Share the screen or stop sharing" },
  { key: "C", action: "chat", description: "Open or close the chat" },
  { key: "R", action: "hand", description: "Raise or lower your hand" },
  { key: "P", action: "people", description: "Open or close the people list" },
  { key: "L", action: "layout", description: "Switch between grid and speaker view" },
  { key: "F", action: "pip", description: "Float the call in a window of its own, or bring it back" },
  // Digits, not letters: a reaction is sent at once, so it must not sit where a word is typed by mistake.
  ...REACTIONS.map((emoji, i) => ({
    key: `${i + 1}`,
    action: `react-${i + 1}` as const,
    description: `React with ${emoji} (${REACTION_NAMES[emoji]})`,
  })),
  { key: "?", action: "help", description: "Show these shortcuts" },
];

const BY_KEY: ReadonlyMap<string, ShortcutAction> = new Map(
  SHORTCUTS.flatMap(({ key, action }) => [
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
