import type { ReadonlySignal } from "@preact/signals";
import type { NameLabel } from "../call/names";
import type { SafetyState } from "../call/peer/safety-exchange";
import { Modal } from "./Modal";
import { PersonName } from "./PersonName";
import "../styles/controls.css";
import "./SafetyCodeDialog.css";

interface SafetyCodeDialogProps {
  label: NameLabel;
  /** The connection's safety code: waiting for the exchange, the code, or failed. */
  code: ReadonlySignal<SafetyState> | undefined;
  verified: boolean;
  onVerifiedChange(verified: boolean): void;
  onClose(): void;
}

/**
 * Shows the safety code of one connection. Comparing it aloud is what proves that nobody,
 * not even the server that relayed the connection's setup, sits in the middle.
 */
export function SafetyCodeDialog({ label, code, verified, onVerifiedChange, onClose }: SafetyCodeDialogProps) {
  const state = code?.value ?? { kind: "waiting" };
  const name = <PersonName label={label} />;
  return (
    <Modal title={<>Safety code with {name}</>} onClose={onClose}>
      <div class="modal__body">
        {state.kind === "code" && (
          <p class="safety-code" data-testid="safety-code">
            {state.code}
          </p>
        )}
        {state.kind === "waiting" && (
          <p role="status" data-testid="safety-code-waiting">
            The code appears once your connection to {name} is encrypted and both browsers have exchanged their part of
            it.
          </p>
        )}
        {state.kind === "failed" && (
          // Not a wrong code but none at all: a failed exchange is exactly what an interception could look like.
          <div role="alert" data-testid="safety-code-failed">
            <p>
              <strong>Could not verify this connection.</strong> {state.reason}
            </p>
            <p>
              Someone may be intercepting it. Do not rely on it for anything private; leave and rejoin to try again.
            </p>
          </div>
        )}
        {state.kind !== "failed" && (
          <p>
            Read the code to each other on the call. If it is the same on both screens, nobody is listening in; if it
            differs, someone is intercepting your connection.
          </p>
        )}
        <label class="safety-code__verified">
          <input
            type="checkbox"
            checked={verified}
            disabled={state.kind !== "code"}
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
