/**
 * What to ask the SFU for next, in SFU mode (not used by calls yet): a pure function from what the
 * call looks like (who publishes which tracks, per the room's latest `sfu-tracks`), what we hold
 * and what is on its way, and how big each member's tile is drawn, to the SfuSession calls that
 * bring the two in line: close, pull, setLayer. The engine calls it whenever one of those changes
 * and carries the actions out in order; planning again meanwhile is safe, because nothing held,
 * in flight or already asked for is asked for twice.
 *
 *   - close: every mid whose track nobody publishes any more (the member stopped sharing, or left).
 *   - pull:  every published track of every member that we neither hold nor are pulling, one
 *            sfu-pull per member with all of its missing tracks.
 *   - layer: for each simulcast track we hold, the smallest layer at least as wide as its tile.
 *
 * Closes go first, to free room under the SFU's 64-track limit before pulls take more; then pulls,
 * so that people appear; layer changes last, as they only sharpen or soften what is already shown.
 */
import { MAX_SFU_TRACKS_PER_MESSAGE } from "../../../common/protocol";

/** The name a sharer's screen is published under: a sharer's tile draws it, not the camera. */
export const SCREEN_TRACK = "screen";

/** One simulcast layer: the RID sfu-layer names it by, and how many pixels wide it is sent. */
export interface SimulcastLayer {
  rid: string;
  width: number;
}

/** The camera's full width (720p) when nothing else is known. */
export const FULL_WIDTH = 1280;

/** Layers at full, half and quarter width: the RIDs and scales publishers give their encodings. */
export function simulcastLayers(fullWidth = FULL_WIDTH): SimulcastLayer[] {
  return [
    { rid: "f", width: fullWidth },
    { rid: "h", width: fullWidth / 2 },
    { rid: "q", width: fullWidth / 4 },
  ];
}

/**
 * Hysteresis: a track goes down to a lower layer only once its tile is narrower than this share of
 * that layer's width (going up happens as soon as the tile is wider than the layer it gets). So a
 * tile whose width jitters around a layer's edge (a window resized by a few pixels, a strip that
 * reflows) stays where it is: between 80 % and 100 % of a layer's width, whichever of the two
 * layers it had is kept. Each switch costs the SFU a keyframe request and the viewer a moment of
 * changed sharpness, so flipping back and forth would be worse than either layer.
 */
export const DOWN_MARGIN = 0.8;

/** A member in the call (never us), as we see them. */
export interface SfuMember {
  id: string;
  /** Every track the member publishes, as its latest `sfu-tracks` named them. */
  tracks: readonly string[];
  /** The width of its tile on our screen in device pixels (CSS pixels × devicePixelRatio); null when not drawn. */
  tileWidth: number | null;
  /** The active speaker: pulled early, as it is who everyone is looking at. */
  speaking: boolean;
  /** Its tile draws its screen, with its camera as a thumbnail in a corner (as camera-pip.ts does in mesh). */
  sharing: boolean;
}

/** A track we pull. */
export interface HeldTrack {
  from: string;
  trackName: string;
  mid: string;
  /** The layer last asked for (set when sfu-layer is sent, so it is not asked twice); null before any. */
  layer: string | null;
}

/** A pull sent and not yet answered: no mid yet, so it can be neither closed nor layered until it lands. */
export interface PullInFlight {
  from: string;
  trackName: string;
}

export interface SfuPlanInput {
  members: readonly SfuMember[];
  /** What we pull now; a mid being closed is no longer held (the engine drops it when it sends the close). */
  held: readonly HeldTrack[];
  inFlight: readonly PullInFlight[];
  /** The layers simulcast tracks are published with (any order). */
  layers: readonly SimulcastLayer[];
  /** The track names published with those layers (the camera); the others (audio, a full-size screen) have none. */
  layeredTracks: ReadonlySet<string>;
}

export type SfuAction =
  | { type: "close"; mids: string[] }
  | { type: "pull"; from: string; trackNames: string[] }
  | { type: "layer"; mid: string; layer: string };

/** The actions, in the order to carry them out: closes, then pulls, then layer changes. */
export function planSfu(input: SfuPlanInput): SfuAction[] {
  const members = byPriority(input.members);
  const published = new Set(members.flatMap((m) => m.tracks.map((t) => key(m.id, t))));

  // Each published track is kept once, under the first mid that holds it; any other mid for it,
  // or for a track nobody publishes now, is closed. (A track held twice should not happen, but a
  // second copy would take a forwarded stream and a place under the SFU's limit for nothing.)
  const kept = new Map<string, HeldTrack>();
  const closing: string[] = [];
  for (const track of input.held) {
    const k = key(track.from, track.trackName);
    if (published.has(k) && !kept.has(k)) kept.set(k, track);
    else closing.push(track.mid);
  }

  const pulling = new Set(input.inFlight.map((p) => key(p.from, p.trackName)));
  const pulls = members.flatMap((m) => {
    const missing = unique(m.tracks).filter((t) => !kept.has(key(m.id, t)) && !pulling.has(key(m.id, t)));
    return chunks(missing).map((trackNames): SfuAction => ({ type: "pull", from: m.id, trackNames }));
  });

  const ladder = [...input.layers].sort((a, b) => a.width - b.width);
  const layerChanges = members.flatMap((m) =>
    unique(m.tracks).flatMap((trackName): SfuAction[] => {
      const track = kept.get(key(m.id, trackName));
      if (!track || !input.layeredTracks.has(trackName) || ladder.length === 0) return [];
      const layer = layerFor(ladder, drawnWidth(m, trackName), track.layer);
      return layer === track.layer ? [] : [{ type: "layer", mid: track.mid, layer }];
    }),
  );

  const closes = chunks(closing).map((mids): SfuAction => ({ type: "close", mids }));
  return [...closes, ...pulls, ...layerChanges];
}

/**
 * How wide `trackName` of member `m` is drawn, in device pixels; null when it is not drawn.
 * While the member shares, the tile is its screen and the camera a thumbnail in its corner, so
 * the camera needs no more than the lowest layer (the 320-pixel thumbnail mesh sends too).
 */
function drawnWidth(m: SfuMember, trackName: string): number | null {
  if (m.sharing && trackName !== SCREEN_TRACK) return 0;
  return m.tileWidth;
}

/**
 * The layer (RID) a track drawn `width` pixels wide should come in, given the one it has: the
 * smallest at least as wide as the tile (the widest when none is), going down only past the
 * DOWN_MARGIN. A tile not drawn gets the lowest layer rather than a close: closing, then pulling
 * again when the tile comes back, would take two requests through the room (one at a time, each
 * with a renegotiation) and a keyframe before anything shows, while the lowest layer costs
 * about a sixteenth of the full one and shows at once, sharpening after one sfu-layer.
 * `ladder` is sorted narrowest first and not empty.
 */
export function layerFor(ladder: readonly SimulcastLayer[], width: number | null, current: string | null): string {
  const lowest = ladder[0] as SimulcastLayer;
  if (width === null) return lowest.rid;
  const fitting = smallestAtLeast(ladder, width);
  const now = ladder.find((l) => l.rid === current);
  // No layer asked for yet (or one we do not know): nothing to hold on to.
  if (!now || fitting.width >= now.width) return fitting.rid;
  // Narrower: go down, but only to a layer the tile is clearly smaller than.
  const roomy = ladder.find((l) => width < l.width * DOWN_MARGIN);
  return roomy && roomy.width < now.width ? roomy.rid : now.rid;
}

function smallestAtLeast(ladder: readonly SimulcastLayer[], width: number): SimulcastLayer {
  return ladder.find((l) => l.width >= width) ?? (ladder[ladder.length - 1] as SimulcastLayer);
}

/**
 * Who is pulled first, as pulls go one at a time through the room (seconds in a call of 50): the
 * one sharing a screen, then the one speaking, then tiles on screen from the widest down, then
 * those not drawn. Otherwise the order members came in (sort is stable).
 */
function byPriority(members: readonly SfuMember[]): SfuMember[] {
  return [...members].sort(
    (a, b) =>
      Number(b.sharing) - Number(a.sharing) ||
      Number(b.speaking) - Number(a.speaking) ||
      (b.tileWidth ?? -1) - (a.tileWidth ?? -1),
  );
}

/** The room takes at most MAX_SFU_TRACKS_PER_MESSAGE tracks or mids in one request. */
function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_SFU_TRACKS_PER_MESSAGE)
    out.push(items.slice(i, i + MAX_SFU_TRACKS_PER_MESSAGE));
  return out;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** One track of one member (peer ids are hex and track names have no space, so this cannot collide). */
function key(from: string, trackName: string): string {
  return `${from} ${trackName}`;
}
