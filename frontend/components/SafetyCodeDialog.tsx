import type { ReadonlySignal } from "@preact/signals";
import type { NameLabel } from "../call/names";
import type { SafetyState } from "../call/peer/safety-exchange";
import { t } from "../i18n/active";
import { fill } from "../i18n/format";
import { safetyFailure } from "../i18n/problems";
import { Modal } from "./Modal";
import { PersonName } from "./PersonName";
import { Switch } from "./Switch";
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
  const text = t();
  return (
    <Modal title={fill(text.safetyCodeWith, { name })} onClose={onClose}>
      <div class="modal__body">
        {state.kind === "code" && (
          <p class="safety-code" data-testid="safety-code" dir="ltr">
            {state.code}
          </p>
        )}
        {state.kind === "waiting" && (
          <p role="status" data-testid="safety-code-waiting">
            {fill(text.safetyCodeWaiting, { name })}
          </p>
        )}
        {state.kind === "failed" && (
          // Not a wrong code but none at all: a failed exchange is exactly what an interception could look like.
          <div role="alert" data-testid="safety-code-failed">
            <p>
              <strong>{text.couldNotVerify}</strong> {safetyFailure(state.reason)}
            </p>
            <p>{text.maybeIntercepted}</p>
          </div>
        )}
        {state.kind !== "failed" && <p>{text.readTheCode}</p>}
        <Switch
          class="safety-code__verified"
          label={text.markVerified}
          checked={verified}
          disabled={state.kind !== "code"}
          onChange={onVerifiedChange}
        />
        <div class="actions">
          <button type="button" onClick={onClose} autofocus>
            {text.done}
          </button>
        </div>
      </div>
    </Modal>
  );
}
