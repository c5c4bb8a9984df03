import { useId, useRef, useState } from "preact/hooks";
import type { NameLabel } from "../call/names";
import { SUGGESTED_KEY_BITS, suggestRoomKey } from "../call/room-key";
import { KeyField } from "./KeyField";
import { Modal } from "./Modal";
import { PersonName } from "./PersonName";
import "../styles/controls.css";

interface LockDialogProps {
  /** Set when the dialog opened to remove someone from an unlocked room. */
  removing?: NameLabel | null;
  /** Locks with `key`; returns why the key cannot be used, or null once the lock is on its way. */
  onLock(key: string): string | null;
  onClose(): void;
}

/**
 * Locking, with a strong key already filled in so that the easy path is the safe one. The key
 * lives in this dialog's state only: once it closes, nothing in the page remembers it.
 */
export function LockDialog({ removing = null, onLock, onClose }: LockDialogProps) {
  const [key, setKey] = useState(() => suggestRoomKey());
  const [problem, setProblem] = useState<string | null>(null);
  const [copyNote, setCopyNote] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(key);
      setCopyNote("Key copied.");
    } catch {
      // No clipboard permission (or no secure context): leave the key selected for a manual copy.
      input.current?.select();
      setCopyNote("Could not copy automatically: the key is selected, copy it yourself.");
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
      title={
        removing ? (
          <>
            Remove <PersonName label={removing} /> from the call
          </>
        ) : (
          "Lock room"
        )
      }
      onClose={onClose}
    >
      <form class="modal__body" onSubmit={submit} noValidate>
        {removing && (
          <p>
            Lock the room first, or <PersonName label={removing} /> can rejoin with the link.
          </p>
        )}
        <p>
          Once the room is locked, people who open the link need this key, or someone inside has to let them in. Share
          the key separately: the link never contains it, and natter does not keep it, so copy it now.
        </p>
        <KeyField
          id={id}
          value={key}
          onValue={(value) => {
            setKey(value);
            setProblem(null);
            setCopyNote("");
          }}
          problem={problem}
          hidden={false}
          inputRef={input}
          describedBy={{ before: `${id}-note` }}
          action={
            <button type="button" onClick={copy}>
              Copy key
            </button>
          }
        >
          <p id={`${id}-note`} class="field-note">
            The suggested key is {SUGGESTED_KEY_BITS} random bits; any key of 4 or more characters works.
          </p>
          <p class="field-note" role="status">
            {copyNote}
          </p>
        </KeyField>
        <div class="actions">
          <button type="submit" class="primary">
            {removing ? "Lock and remove" : "Lock"}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
