import type { KnockRequest } from "../call/call";

interface KnockRequestsProps {
  knocks: readonly KnockRequest[];
  onAdmit(id: string): void;
  onDeny(id: string): void;
}

/** People outside a locked room asking to be let in; any member may answer. */
export function KnockRequests({ knocks, onAdmit, onDeny }: KnockRequestsProps) {
  return (
    // Always in the DOM, so a new request is announced.
    <div class="knocks" aria-live="polite">
      {knocks.map((knock) => (
        <div key={knock.id} class="knock">
          {/* "At the door" on every request: whatever name a knocker picks, they are not in the call. */}
          <p class="knock__text">At the door: {knock.name} is asking to join</p>
          {knock.nameInUse && (
            <p class="knock__warning">Someone in the call already has this name. This is a different person.</p>
          )}
          <div class="knock__actions">
            <button type="button" class="primary" aria-label={`Admit ${knock.name}`} onClick={() => onAdmit(knock.id)}>
              Admit
            </button>
            <button type="button" aria-label={`Deny ${knock.name}`} onClick={() => onDeny(knock.id)}>
              Deny
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
