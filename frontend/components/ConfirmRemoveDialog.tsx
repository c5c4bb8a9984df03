import type { NameLabel } from "../call/names";
import { Modal } from "./Modal";
import { PersonName } from "./PersonName";

interface ConfirmRemoveDialogProps {
  label: NameLabel;
  onRemove(): void;
  onClose(): void;
}

/** Removing someone is abrupt for them, so it takes a second click; the room is already locked here. */
export function ConfirmRemoveDialog({ label, onRemove, onClose }: ConfirmRemoveDialogProps) {
  const name = <PersonName label={label} />;
  return (
    <Modal title={<>Remove {name} from the call?</>} onClose={onClose}>
      <div class="modal__body">
        <p>The room is locked, so {name} can only come back with the key or if someone lets them in.</p>
        <div class="actions">
          <button
            type="button"
            class="danger"
            onClick={() => {
              onRemove();
              onClose();
            }}
          >
            Remove
          </button>
          {/* Focused first: Enter on a dialog that just opened should not remove anyone. */}
          <button type="button" onClick={onClose} autofocus>
            Cancel
          </button>
        </div>
      </div>
    </Modal>
  );
}
