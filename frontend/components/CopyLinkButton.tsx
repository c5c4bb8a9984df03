import { useEffect, useState } from "preact/hooks";
import { ControlButton } from "./MediaButtons";
import "./CopyLinkButton.css";

const SHOWN_MS = 2_000;

/** Copies the room's address; "Copied" shows next to the button (and is announced) for a moment. */
export function CopyLinkButton() {
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    if (note === null) return;
    const timer = setTimeout(() => setNote(null), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [note]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setNote("Copied");
    } catch {
      setNote("Could not copy: the address bar has the link");
    }
  };

  return (
    <span class="copy-link">
      <ControlButton label="Copy link" icon="link" onClick={() => void copy()} />
      <span class="copy-link__note" role="status">
        {note}
      </span>
    </span>
  );
}
