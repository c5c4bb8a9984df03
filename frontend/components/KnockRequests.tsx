import type { KnockRequest } from "../call/call";
import { labelFor, labelText, type NameLabel } from "../call/names";
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
  return (
    // Always in the DOM, so a new request is announced.
    <div class="knocks" aria-live="polite">
      {knocks.map((knock) => {
        const label = labelFor(labels, knock.id, knock.name);
        const name = labelText(label);
        return (
          <div key={knock.id} class="knock">
            {/* "At the door" on every request: whatever name a knocker picks, they are not in the call. */}
            <p class="knock__text">
              At the door: <PersonName label={label} /> is asking to join
            </p>
            {knock.nameInUse && (
              <p class="knock__warning">Someone in the call already has this name. This is a different person.</p>
            )}
            <div class="knock__actions">
              <button type="button" class="primary" aria-label={`Admit ${name}`} onClick={() => onAdmit(knock.id)}>
                Admit
              </button>
              <button type="button" aria-label={`Deny ${name}`} onClick={() => onDeny(knock.id)}>
                Deny
              </button>
            </div>
          </div>
        );
      })}
    </div>
  );
}
