import { useId, useState } from "preact/hooks";
import type { Access } from "../call/access";
import { t } from "../i18n/active";
import { fill } from "../i18n/format";
import { choose } from "../i18n/plural";
import type { Problem } from "../i18n/problem";
import { KeyField } from "./KeyField";
import { Link } from "./Link";
import { useTickingClock } from "./use-ticking-clock";
import "../styles/controls.css";
import "./LockedPanel.css";

interface LockedPanelProps {
  access: Access;
  /** Tries a key; returns why it cannot be used (nothing is sent then), or null. */
  onSubmitKey(key: string): Problem | null;
  onKnock(): void;
}

/**
 * The door of a locked room: a key, or a knock. It shows only what the room tells an outsider
 * (verdicts about our own tries), never who or how many are inside.
 */
export function LockedPanel({ access, onSubmitKey, onKnock }: LockedPanelProps) {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const text = t();
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
      <h2 id={`${id}-title`}>{text.roomIsLocked}</h2>
      <p>{text.lockedLede}</p>
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
              {text.enterRoom}
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
          {text.askToJoin}
        </button>
        <Link href="/">{text.backHome}</Link>
      </div>
    </section>
  );
}

function AccessMessage({ access, secondsLeft }: { access: Access; secondsLeft: number }) {
  const text = t();
  switch (access.state) {
    case "unknown":
    case "in":
    case "locked":
      return null;
    case "checking-key":
      return <>{text.checkingKey}</>;
    case "wrong-key":
      return (
        <>{access.triesLeft > 0 ? choose(text.locale, text.wrongKeyTriesLeft, access.triesLeft) : text.wrongKeyWaits}</>
      );
    case "throttled":
      if (secondsLeft === 0) return <>{text.tryKeyNow}</>;
      // A timer is not announced every second (its live region is off); the sentence around it is, once.
      return (
        <>{fill(text.tooManyWrongKeys, { wait: <span role="timer">{formatWait(secondsLeft, text.locale)}</span> })}</>
      );
    case "knocking":
      return <>{text.knocking}</>;
    case "declined":
      return <>{text.declined}</>;
    case "lapsed":
      return <>{text.lapsed}</>;
    case "too-many-knocks":
      // Every knock limit answers alike (the room does not say which), so this cannot say more.
      return <>{text.tooManyKnocks}</>;
  }
}

/** "42 s", or "3 min 5 s" for the long waits that repeated guessing earns, in `locale`'s units (Intl). */
export function formatWait(seconds: number, locale = "en"): string {
  const unit = (value: number, name: "second" | "minute") =>
    new Intl.NumberFormat(locale, { style: "unit", unit: name, unitDisplay: "short" }).format(value);
  if (seconds < 60) return unit(seconds, "second");
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? unit(minutes, "minute") : `${unit(minutes, "minute")} ${unit(rest, "second")}`;
}
