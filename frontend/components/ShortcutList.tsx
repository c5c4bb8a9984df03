import { t } from "../i18n/active";
import { format } from "../i18n/format";
import { REACTION_NAMES } from "../services/reactions";
import { SHORTCUTS } from "../services/shortcuts";
import { Modal } from "./Modal";
import "./ShortcutList.css";

export function ShortcutList() {
  const text = t();
  return (
    <ul class="shortcuts">
      {SHORTCUTS.map((shortcut) => (
        <li key={shortcut.key}>
          <kbd>{shortcut.label ? text[shortcut.label] : shortcut.key}</kbd>{" "}
          {format(text[shortcut.description], {
            emoji: shortcut.reaction ?? "",
            name: shortcut.reaction ? text[REACTION_NAMES[shortcut.reaction]] : "",
          })}
        </li>
      ))}
    </ul>
  );
}

export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  const text = t();
  return (
    <Modal title={text.keyboardShortcuts} onClose={onClose}>
      <div class="modal__body">
        <ShortcutList />
        <p class="field-note">{text.shortcutsNote}</p>
        <div class="actions">
          <button type="button" onClick={onClose} autofocus>
            {text.close}
          </button>
        </div>
      </div>
    </Modal>
  );
}
