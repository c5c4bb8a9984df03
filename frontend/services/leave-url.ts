/**
 * Where to go after "Leave call": the operator's LEAVE_URL, as the Worker hands it out
 * (/api/leave-url), checked once more here (common/leave-url.ts). Asked for when the room page
 * opens, so leaving never waits on the network; whatever goes wrong means natter's own Left page.
 */
import { safeLeaveUrl } from "../../common/leave-url";

let asked: Promise<string | null> | null = null;

export function leaveUrl(fetcher: typeof fetch = fetch): Promise<string | null> {
  asked ??= fetcher("/api/leave-url", { headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : null))
    .then((body: unknown) => safeLeaveUrl((body as { url?: unknown } | null)?.url))
    .catch(() => null);
  return asked;
}

/** Forgets the answer (tests). */
export function forgetLeaveUrl(): void {
  asked = null;
}
