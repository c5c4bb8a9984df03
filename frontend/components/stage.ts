/**
 * Who takes the stage: the rule behind the grid's spotlight, kept pure (no Preact, no signals) so
 * that it is tested on plain values, like the grid's sizing in grid-layout.ts beside it.
 */

/** Our own key in the pin and audio-level maps (peer ids are 32 hex digits, so it cannot collide). */
export const SELF = "self";

export interface StageFacts {
  /** Whom the person pinned (SELF or a peer id), or null; it may name someone who has left since. */
  pinned: string | null;
  /** Whether our own tile is drawn (the self view can be hidden). */
  selfShown: boolean;
  /** The people in the call, in tile order. */
  peers: readonly { id: string; screen: boolean }[];
}

export interface Stage {
  /** The pin that still holds: null once the pinned person left or the self view was hidden. */
  pinned: string | null;
  /** Whose tile is drawn large: the pinned one, else the first person presenting, else nobody. */
  spotlight: string | null;
  /** How many tiles the grid holds. */
  tileCount: number;
  /** Whether the grid uses its spotlight layout: a spotlight alone on the grid is just a grid of one. */
  spotlightLayout: boolean;
}

/** A pinned person who left unpins; someone presenting takes the stage unless someone is pinned. */
export function stageOf({ pinned, selfShown, peers }: StageFacts): Stage {
  const pinnedNow = pinned === SELF ? (selfShown ? SELF : null) : peers.some((p) => p.id === pinned) ? pinned : null;
  const spotlight = pinnedNow ?? peers.find((peer) => peer.screen)?.id ?? null;
  const tileCount = peers.length + (selfShown ? 1 : 0);
  return { pinned: pinnedNow, spotlight, tileCount, spotlightLayout: spotlight !== null && tileCount > 1 };
}

/** Pinning the pinned tile again unpins it; pinning another moves the pin (only one at a time). */
export function togglePin(current: string | null, id: string): string | null {
  return current === id ? null : id;
}
