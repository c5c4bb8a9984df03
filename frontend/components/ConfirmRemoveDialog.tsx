import type { NameLabel } from "../call/names";
import { t } from "../i18n/active";
import { fill } from "../i18n/format";
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
  const text = t();
  return (
    <Modal title={fill(text.confirmRemoveTitle, { name })} onClose={onClose}>
      <div class="modal__body">
        <p>{fill(text.confirmRemove, { name })}</p>
        <div class="actions">
          <button
            type="button"
            class="danger"
            onClick={() => {
              onRemove();
              onClose();
            }}
          >
            {text.remove}
          </button>
          {/* Focused first: Enter on a dialog that just opened should not remove anyone. */}
          <button type="button" onClick={onClose} autofocus>
            {text.cancel}
          </button>
        </div>
      </div>
    </Modal>
  );
}
