import type { KnockRequest } from "../call/call";
import { labelFor, labelText, type NameLabel } from "../call/names";
import { t } from "../i18n/active";
import { fill, format } from "../i18n/format";
import { PersonName } from "./PersonName";
import "./KnockRequests.css";

interface KnockRequestsProps {
  knocks: readonly KnockRequest[];
  /** Labels that tell apart people with the same name (a knocker may take the name of someone inside). */
  labels?: ReadonlyMap<string, NameLabel>;
  onAdmit(id: string): void;
  onDeny(id: string): void;
}

/** People outside a locked room asking to be let in; any member may answer. */
export function KnockRequests({ knocks, labels = new Map(), onAdmit, onDeny }: KnockRequestsProps) {
  const text = t();
  return (
    // Always in the DOM, so a new request is announced.
    <div class="knocks" aria-live="polite">
      {knocks.map((knock) => {
        const label = labelFor(labels, knock.id, knock.name);
        const name = labelText(label);
        return (
          <div key={knock.id} class="knock">
            {/* "At the door" on every request: whatever name a knocker picks, they are not in the call. */}
            <p class="knock__text">{fill(text.atTheDoor, { name: <PersonName label={label} /> })}</p>
            {knock.nameInUse && <p class="knock__warning">{text.nameInUse}</p>}
            <div class="knock__actions">
              <button
                type="button"
                class="primary"
                aria-label={format(text.admitName, { name })}
                onClick={() => onAdmit(knock.id)}
              >
                {text.admit}
              </button>
              <button type="button" aria-label={format(text.denyName, { name })} onClick={() => onDeny(knock.id)}>
                {text.deny}
              </button>
            </div>
          </div>
        );
      })}
    </div>
  );
}
