import type { ReadonlySignal } from "@preact/signals";
import type { NameLabel } from "../call/names";
import { Modal } from "./Modal";
import { PersonName } from "./PersonName";

interface SafetyCodeDialogProps {
  label: NameLabel;
  /** The connection's current code; null while it is still being encrypted. */
  code: ReadonlySignal<string | null> | undefined;
  verified: boolean;
  onVerifiedChange(verified: boolean): void;
  onClose(): void;
}

/**
 * Shows the safety code of one connection. Comparing it aloud is what proves that nobody,
 * not even the server that relayed the connection's setup, sits in the middle.
 */
export function SafetyCodeDialog({ label, code, verified, onVerifiedChange, onClose }: SafetyCodeDialogProps) {
  const value = code?.value ?? null;
  const name = <PersonName label={label} />;
  return (
    <Modal title={<>Safety code with {name}</>} onClose={onClose}>
      <div class="modal__body">
        {value === null ? (
          <p role="status">The code appears once your connection to {name} is encrypted.</p>
        ) : (
          <p class="safety-code" data-testid="safety-code">
            {value}
          </p>
        )}
        <p>
          Read the code to each other on the call. If it is the same on both screens, nobody is listening in; if it
          differs, someone is intercepting your connection.
        </p>
        <label class="safety-code__verified">
          <input
            type="checkbox"
            checked={verified}
            disabled={value === null}
            onChange={(event) => onVerifiedChange(event.currentTarget.checked)}
          />
          Mark as verified
        </label>
        <div class="actions">
          <button type="button" onClick={onClose} autofocus>
            Done
          </button>
        </div>
      </div>
    </Modal>
  );
}
