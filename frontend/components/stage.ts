/**
 * Who takes the stage: the rule behind the grid's spotlight, kept pure (no Preact, no signals) so
 * that it is tested on plain values, like the grid's sizing in grid-layout.ts beside it.
 */

/** Our own key in the pin and audio-level maps (peer ids are 32 hex digits, so it cannot collide). */
export const SELF = "self";

/**
 * How the call is laid out: every tile the same size, or the person speaking large and the
 * others in a strip (better from five people on, when grid tiles get small).
 */
export type LayoutMode = "grid" | "speaker";

export interface StageFacts {
  /** Whom the person pinned (SELF or a peer id), or null; it may name someone who has left since. */
  pinned: string | null;
  /** Whether our own tile is drawn (the self view can be hidden). */
  selfShown: boolean;
  /** The people in the call, in tile order. */
  peers: readonly { id: string; screen: boolean }[];
  /** Grid unless the person chose the speaker view. */
  mode?: LayoutMode;
  /** Whom the speaker view shows (speakerOf); ignored in the grid. */
  speaker?: string | null;
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

/**
 * A pinned person who left unpins; someone presenting takes the stage unless someone is pinned;
 * in the speaker view, the speaker takes it when nobody is pinned or presenting.
 */
export function stageOf({ pinned, selfShown, peers, mode = "grid", speaker = null }: StageFacts): Stage {
  const pinnedNow = pinned === SELF ? (selfShown ? SELF : null) : peers.some((p) => p.id === pinned) ? pinned : null;
  const speakerNow = mode === "speaker" && peers.some((p) => p.id === speaker) ? speaker : null;
  const spotlight = pinnedNow ?? peers.find((peer) => peer.screen)?.id ?? speakerNow;
  const tileCount = peers.length + (selfShown ? 1 : 0);
  return { pinned: pinnedNow, spotlight, tileCount, spotlightLayout: spotlight !== null && tileCount > 1 };
}

/**
 * Whom the speaker view shows: the loudest of the others now; while nobody speaks, whoever spoke
 * last (so the stage does not flicker between sentences); before anyone has, the first person.
 * Never ourselves: we do not need to see ourselves large while we talk.
 */
export function speakerOf(
  active: string | null,
  previous: string | null,
  peers: readonly { id: string }[],
): string | null {
  if (active !== null && active !== SELF && peers.some((p) => p.id === active)) return active;
  if (previous !== null && peers.some((p) => p.id === previous)) return previous;
  return peers[0]?.id ?? null;
}

/** Pinning the pinned tile again unpins it; pinning another moves the pin (only one at a time). */
export function togglePin(current: string | null, id: string): string | null {
  return current === id ? null : id;
}
