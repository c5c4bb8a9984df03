import type { ComponentChildren } from "preact";
import { useId, useLayoutEffect, useRef } from "preact/hooks";
import "./Modal.css";

interface ModalProps {
  /** The dialog's heading, which is also its accessible name. */
  /** Elements allowed, so that a name in the title can sit in its own bidi isolate. */
  title: ComponentChildren;
  /** Escape, or anything else that dismisses the dialog; the parent unmounts it. */
  onClose(): void;
  children: ComponentChildren;
}

/** What Tab can reach inside a dialog. */
const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal <dialog>. showModal() makes the rest of the page inert and turns Escape into a
 * `cancel` event; Tab past the last control wraps to the first (browsers would otherwise send
 * focus out to their own toolbar). The parent closes it by unmounting it, so focus is put back
 * by hand: a dialog that leaves the DOM would otherwise drop focus on <body>.
 */
export function Modal({ title, onClose, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const cancel = (event: Event) => {
      // Closed by unmounting, like every other way out, so the parent's state stays the truth.
      event.preventDefault();
      onCloseRef.current();
    };
    // Browsers may close anyway on a repeated Escape (they refuse to let a page trap it).
    const closed = () => onCloseRef.current();
    const wrapTab = (event: KeyboardEvent) => {
      if (event.key !== "Tab") return;
      const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = focusable[0];
      const last = focusable.at(-1);
      if (!first || !last) return;
      if (event.shiftKey ? document.activeElement === first : document.activeElement === last) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      }
    };
    dialog.addEventListener("cancel", cancel);
    dialog.addEventListener("close", closed);
    dialog.addEventListener("keydown", wrapTab);
    return () => {
      dialog.removeEventListener("cancel", cancel);
      dialog.removeEventListener("close", closed);
      dialog.removeEventListener("keydown", wrapTab);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} class="modal" aria-labelledby={titleId}>
      <h2 id={titleId} class="modal__title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
