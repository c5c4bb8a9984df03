import { SHORTCUTS } from "../services/shortcuts";
import { Modal } from "./Modal";
import "./ShortcutList.css";

export function ShortcutList() {
  return (
    <ul class="shortcuts">
      {SHORTCUTS.map((shortcut) => (
        <li key={shortcut.key}>
          <kbd>{shortcut.key}</kbd> {shortcut.description}
        </li>
      ))}
    </ul>
  );
}

export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <div class="modal__body">
        <ShortcutList />
        <p class="field-note">Shortcuts work anywhere in the call except while typing.</p>
        <div class="actions">
          <button type="button" onClick={onClose} autofocus>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}
