import { useId, useRef, useState } from "preact/hooks";
import type { NameLabel } from "../call/names";
import { SUGGESTED_KEY_BITS, suggestRoomKey } from "../call/room-key";
import { t } from "../i18n/active";
import { fill, format } from "../i18n/format";
import type { Problem } from "../i18n/problem";
import { KeyField } from "./KeyField";
import { Modal } from "./Modal";
import { PersonName } from "./PersonName";
import "../styles/controls.css";

interface LockDialogProps {
  /** Set when the dialog opened to remove someone from an unlocked room. */
  removing?: NameLabel | null;
  /** Locks with `key`; returns why the key cannot be used, or null once the lock is on its way. */
  onLock(key: string): Problem | null;
  onClose(): void;
}

/**
 * Locking, with a strong key already filled in so that the easy path is the safe one. The key
 * lives in this dialog's state only: once it closes, nothing in the page remembers it.
 */
export function LockDialog({ removing = null, onLock, onClose }: LockDialogProps) {
  const [key, setKey] = useState(() => suggestRoomKey());
  const [problem, setProblem] = useState<Problem | null>(null);
  const [copyNote, setCopyNote] = useState<"keyCopied" | "keyNotCopied" | null>(null);
  const text = t();
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(key);
      setCopyNote("keyCopied");
    } catch {
      // No clipboard permission (or no secure context): leave the key selected for a manual copy.
      input.current?.select();
      setCopyNote("keyNotCopied");
    }
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const reason = onLock(key);
    if (reason === null) onClose();
    else setProblem(reason);
  };

  return (
    <Modal
      title={removing ? fill(text.removeTitle, { name: <PersonName label={removing} /> }) : text.lockRoom}
      onClose={onClose}
    >
      <form class="modal__body" onSubmit={submit} noValidate>
        {removing && <p>{fill(text.lockFirst, { name: <PersonName label={removing} /> })}</p>}
        <p>{text.lockExplained}</p>
        <KeyField
          id={id}
          value={key}
          onValue={(value) => {
            setKey(value);
            setProblem(null);
            setCopyNote(null);
          }}
          problem={problem}
          hidden={false}
          inputRef={input}
          describedBy={{ before: `${id}-note` }}
          action={
            <button type="button" onClick={copy}>
              {text.copyKey}
            </button>
          }
        >
          <p id={`${id}-note`} class="field-note">
            {format(text.keyStrength, { bits: SUGGESTED_KEY_BITS.toLocaleString(text.locale) })}
          </p>
          <p class="field-note" role="status">
            {copyNote && text[copyNote]}
          </p>
        </KeyField>
        <div class="actions">
          <button type="submit" class="primary">
            {removing ? text.lockAndRemove : text.lock}
          </button>
          <button type="button" onClick={onClose}>
            {text.cancel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
