/**
 * The call view's parts that show only when someone asks for them (the dialogs, the chat panel),
 * as lazy components over their chunk (on-demand.ts). The call view prefetches that chunk 2 s after it
 * is on screen, so in practice it is there before anyone clicks; a part opened earlier shows the
 * moment the chunk arrives, its open state kept meanwhile.
 */

import { t } from "../../i18n/active";
import { lazy, type Placeholders } from "../../lazy";

const load = () => import("./on-demand");

/** Nothing while the chunk downloads (a moment at most); if it cannot, say so and offer a way out. */
function placeholders<P extends { onClose(): void }>(): Placeholders<P> {
  return {
    loading: () => null,
    failed: ({ onClose }) => (
      <div class="notice notice--error" role="alert">
        <p>{t().partNotLoaded}</p>
        <button type="button" onClick={onClose}>
          {t().close}
        </button>
      </div>
    ),
  };
}

export const RoomDialogs = lazy(() => load().then((module) => module.RoomDialogs), placeholders());
export const ChatPanel = lazy(() => load().then((module) => module.ChatPanel), placeholders());
export const PeoplePanel = lazy(() => load().then((module) => module.PeoplePanel), placeholders());

/** Fetches the chunk (again, if an earlier try failed); once it is in, every part renders at once. */
/** How long after the call view appears its on-demand chunk is fetched: after a join has settled (bench/join.ts waits for it). */
export const ON_DEMAND_PREFETCH_AFTER_MS = 2_000;

export async function prefetchOnDemand(): Promise<void> {
  await Promise.all([RoomDialogs.preload(), ChatPanel.preload(), PeoplePanel.preload()]);
}
