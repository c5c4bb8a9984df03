import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/active";
import { ControlButton } from "./MediaButtons";
import "./CopyLinkButton.css";

const SHOWN_MS = 2_000;

/** Copies the room's address; "Copied" shows next to the button (and is announced) for a moment. */
export function CopyLinkButton() {
  const [note, setNote] = useState<"copied" | "copyFailed" | null>(null);

  useEffect(() => {
    if (note === null) return;
    const timer = setTimeout(() => setNote(null), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [note]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setNote("copied");
    } catch {
      setNote("copyFailed");
    }
  };

  return (
    <span class="copy-link">
      <ControlButton label={t().copyLink} icon="link" onClick={() => void copy()} />
      <span class="copy-link__note" role="status">
        {note && t()[note]}
      </span>
    </span>
  );
}
