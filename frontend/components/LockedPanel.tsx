import { useId, useState } from "preact/hooks";
import type { Access } from "../call/access";
import { KeyField } from "./KeyField";
import { Link } from "./Link";
import { useTickingClock } from "./use-ticking-clock";
import "../styles/controls.css";
import "./LockedPanel.css";

interface LockedPanelProps {
  access: Access;
  /** Tries a key; returns why it cannot be used (nothing is sent then), or null. */
  onSubmitKey(key: string): string | null;
  onKnock(): void;
}

/**
 * The door of a locked room: a key, or a knock. It shows only what the room tells an outsider
 * (verdicts about our own tries), never who or how many are inside.
 */
export function LockedPanel({ access, onSubmitKey, onKnock }: LockedPanelProps) {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  const throttledUntil = access.state === "throttled" ? access.retryAt : 0;
  const now = useTickingClock(throttledUntil > Date.now());
  const secondsLeft = Math.max(0, Math.ceil((throttledUntil - now) / 1000));
  const checking = access.state === "checking-key";
  const knocking = access.state === "knocking";

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (checking || secondsLeft > 0) return;
    const reason = onSubmitKey(key);
    setProblem(reason);
    // Sent keys are not kept around, not even in the field: a wrong one is retyped anyway.
    if (reason === null) setKey("");
  };

  return (
    <section class="locked" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>This room is locked</h2>
      <p>Enter the room key, or ask the people inside to let you in.</p>
      <form class="locked__form" onSubmit={submit} noValidate>
        <KeyField
          id={id}
          value={key}
          onValue={(value) => {
            setKey(value);
            setProblem(null);
          }}
          problem={problem}
          hidden
          describedBy={{ after: `${id}-status` }}
          action={
            <button type="submit" class="primary" disabled={checking || secondsLeft > 0}>
              Enter room
            </button>
          }
        />
      </form>
      {/* Always in the DOM: screen readers announce changes to a live region that already exists. */}
      <p id={`${id}-status`} class="locked__status" role="status">
        <AccessMessage access={access} secondsLeft={secondsLeft} />
      </p>
      <div class="actions">
        <button type="button" onClick={onKnock} disabled={knocking}>
          Ask to join
        </button>
        <Link href="/">Back to home</Link>
      </div>
    </section>
  );
}

function AccessMessage({ access, secondsLeft }: { access: Access; secondsLeft: number }) {
  switch (access.state) {
    case "unknown":
    case "in":
    case "locked":
      return null;
    case "checking-key":
      return <>Checking the key…</>;
    case "wrong-key":
      return access.triesLeft > 0 ? (
        <>
          That key is wrong. {access.triesLeft} {access.triesLeft === 1 ? "try" : "tries"} left before waits start.
        </>
      ) : (
        <>That key is wrong. From now on each try has to wait a little, and each wait is longer than the last.</>
      );
    case "throttled":
      if (secondsLeft === 0) return <>You can try a key again now.</>;
      // A timer is not announced every second (its live region is off); the sentence around it is, once.
      return (
        <>
          Too many wrong keys. Try again in <span role="timer">{formatWait(secondsLeft)}</span>.
        </>
      );
    case "knocking":
      return <>Asking to join… someone inside needs to let you in.</>;
    case "declined":
      return <>Your request was declined.</>;
    case "lapsed":
      return <>No one answered. Ask again?</>;
    case "too-many-knocks":
      // Every knock limit answers alike (the room does not say which), so this cannot say more.
      return <>Too many requests to join right now. Try again in a little while.</>;
  }
}

/** "42 s", or "3 min 5 s" for the long waits that repeated guessing earns. */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
