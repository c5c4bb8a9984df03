/**
 * What to ask the SFU for next (frontend/call/sfu/sfu-plan.ts): closes, pulls and layer changes
 * from who publishes what, what we hold or are pulling, and how big each tile is drawn. Examples
 * first, then properties over random calls: carrying a plan out leaves every published track
 * pulled exactly once and nothing else held, a second plan then has nothing to do, and no action
 * names a mid we do not hold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SFU_TRACKS_PER_MESSAGE } from "../../common/protocol";
import {
  DOWN_MARGIN,
  type HeldTrack,
  layerFor,
  type PullInFlight,
  planSfu,
  type SfuAction,
  type SfuMember,
  simulcastLayers,
} from "../../frontend/call/sfu/sfu-plan";

const LAYERS = simulcastLayers(); // f 1280, h 640, q 320
const LADDER = [...LAYERS].sort((a, b) => a.width - b.width);
const LAYERED = new Set(["cam"]);

function member(id: string, tracks: string[], more: Partial<SfuMember> = {}): SfuMember {
  return { id, tracks, tileWidth: 640, speaking: false, sharing: false, ...more };
}

function plan(
  members: SfuMember[],
  held: HeldTrack[] = [],
  inFlight: PullInFlight[] = [],
  layeredTracks: ReadonlySet<string> = LAYERED,
): SfuAction[] {
  return planSfu({ members, held, inFlight, layers: LAYERS, layeredTracks });
}

describe("planning what to pull and close", () => {
  it("pulls a newcomer's camera and microphone in one request", () => {
    expect(plan([member("b", ["cam", "mic"])])).toEqual([{ type: "pull", from: "b", trackNames: ["cam", "mic"] }]);
  });

  it("closes both mids of a member who left, in one request", () => {
    const held: HeldTrack[] = [
      { from: "b", trackName: "cam", mid: "1", layer: "h" },
      { from: "b", trackName: "mic", mid: "2", layer: null },
    ];
    expect(plan([], held)).toEqual([{ type: "close", mids: ["1", "2"] }]);
  });

  it("closes the screen of a member who stopped sharing, and nothing else", () => {
    const held: HeldTrack[] = [
      { from: "b", trackName: "cam", mid: "1", layer: "h" },
      { from: "b", trackName: "mic", mid: "2", layer: null },
      { from: "b", trackName: "screen", mid: "3", layer: null },
    ];
    expect(plan([member("b", ["cam", "mic"])], held)).toEqual([{ type: "close", mids: ["3"] }]);
  });

  it("does not pull again what is already on its way, only what is missing", () => {
    const inFlight = [{ from: "b", trackName: "cam" }];
    expect(plan([member("b", ["cam"])], [], inFlight)).toEqual([]);
    expect(plan([member("b", ["cam", "screen"])], [], inFlight)).toEqual([
      { type: "pull", from: "b", trackNames: ["screen"] },
    ]);
  });

  it("has nothing to do when everything is held at the right layer", () => {
    const held: HeldTrack[] = [
      { from: "b", trackName: "cam", mid: "1", layer: "h" },
      { from: "b", trackName: "mic", mid: "2", layer: null },
    ];
    expect(plan([member("b", ["cam", "mic"])], held)).toEqual([]);
    expect(plan([])).toEqual([]);
  });

  it("closes first, then pulls, then changes layers", () => {
    const held: HeldTrack[] = [
      { from: "gone", trackName: "cam", mid: "1", layer: "h" },
      { from: "b", trackName: "cam", mid: "2", layer: "q" },
    ];
    expect(plan([member("b", ["cam"], { tileWidth: 1000 }), member("c", ["mic"])], held)).toEqual([
      { type: "close", mids: ["1"] },
      { type: "pull", from: "c", trackNames: ["mic"] },
      { type: "layer", mid: "2", layer: "f" },
    ]);
  });

  it("pulls the one sharing, then the one speaking, then the widest tiles, then tiles not drawn", () => {
    const members = [
      member("hidden", ["cam"], { tileWidth: null }),
      member("small", ["cam"], { tileWidth: 200 }),
      member("big", ["cam"], { tileWidth: 900 }),
      member("speaker", ["cam"], { tileWidth: 100, speaking: true }),
      member("sharer", ["screen"], { tileWidth: 50, sharing: true }),
    ];
    expect(plan(members).map((a) => (a.type === "pull" ? a.from : a.type))).toEqual([
      "sharer",
      "speaker",
      "big",
      "small",
      "hidden",
    ]);
  });

  it("splits a request that would name more tracks than the room takes in one message", () => {
    const many = Array.from({ length: MAX_SFU_TRACKS_PER_MESSAGE + 2 }, (_, i) => `t${i}`);
    expect(plan([member("b", many)])).toEqual([
      { type: "pull", from: "b", trackNames: many.slice(0, MAX_SFU_TRACKS_PER_MESSAGE) },
      { type: "pull", from: "b", trackNames: many.slice(MAX_SFU_TRACKS_PER_MESSAGE) },
    ]);
    const held = many.map((trackName, i) => ({ from: "b", trackName, mid: `${i}`, layer: null }));
    expect(plan([], held).map((a) => (a.type === "close" ? a.mids.length : 0))).toEqual([
      MAX_SFU_TRACKS_PER_MESSAGE,
      2,
    ]);
  });

  it("keeps one mid of a track held twice and closes the other", () => {
    const held: HeldTrack[] = [
      { from: "b", trackName: "mic", mid: "1", layer: null },
      { from: "b", trackName: "mic", mid: "2", layer: null },
    ];
    expect(plan([member("b", ["mic"])], held)).toEqual([{ type: "close", mids: ["2"] }]);
  });
});

describe("choosing simulcast layers", () => {
  const camAt = (layer: string | null): HeldTrack[] => [{ from: "b", trackName: "cam", mid: "7", layer }];
  const layerAt = (tileWidth: number | null, layer: string | null, more: Partial<SfuMember> = {}) =>
    plan([member("b", ["cam"], { tileWidth, ...more })], camAt(layer));

  it("asks a freshly pulled camera for the smallest layer at least as wide as its tile", () => {
    expect(layerAt(300, null)).toEqual([{ type: "layer", mid: "7", layer: "q" }]);
    expect(layerAt(321, null)).toEqual([{ type: "layer", mid: "7", layer: "h" }]);
    expect(layerAt(2560, null)).toEqual([{ type: "layer", mid: "7", layer: "f" }]);
  });

  it("goes up as soon as the tile grows past its layer", () => {
    expect(layerAt(320, "q")).toEqual([]);
    expect(layerAt(321, "q")).toEqual([{ type: "layer", mid: "7", layer: "h" }]);
    expect(layerAt(641, "h")).toEqual([{ type: "layer", mid: "7", layer: "f" }]);
  });

  it("goes down only once the tile is clearly smaller than the lower layer", () => {
    const edge = 320 * DOWN_MARGIN; // 256
    expect(layerAt(300, "h")).toEqual([]);
    expect(layerAt(edge, "h")).toEqual([]);
    expect(layerAt(edge - 1, "h")).toEqual([{ type: "layer", mid: "7", layer: "q" }]);
    // From the full layer, a 300-pixel tile only comes down to the half one (still clearly smaller).
    expect(layerAt(300, "f")).toEqual([{ type: "layer", mid: "7", layer: "h" }]);
  });

  it("does not flip layers while a tile jitters around a layer's edge", () => {
    let layer: string | null = null;
    const seen: string[] = [];
    for (const width of [330, 318, 322, 300, 325, 290, 321, 270]) {
      for (const action of layerAt(width, layer)) if (action.type === "layer") layer = action.layer;
      seen.push(layer as string);
    }
    expect(seen).toEqual(["h", "h", "h", "h", "h", "h", "h", "h"]);
  });

  it("gives a tile not drawn the lowest layer instead of closing it", () => {
    expect(layerAt(null, "f")).toEqual([{ type: "layer", mid: "7", layer: "q" }]);
    expect(layerAt(null, "q")).toEqual([]);
  });

  it("sends a sharer's screen at the tile's width and its camera, a thumbnail, at the lowest layer", () => {
    const held: HeldTrack[] = [
      { from: "b", trackName: "cam", mid: "1", layer: "f" },
      { from: "b", trackName: "screen", mid: "2", layer: null },
    ];
    const sharer = member("b", ["cam", "screen"], { tileWidth: 1200, sharing: true });
    expect(plan([sharer], held, [], new Set(["cam", "screen"]))).toEqual([
      { type: "layer", mid: "1", layer: "q" },
      { type: "layer", mid: "2", layer: "f" },
    ]);
  });

  it("leaves audio and tracks sent in one layer alone", () => {
    const held: HeldTrack[] = [
      { from: "b", trackName: "mic", mid: "1", layer: null },
      { from: "b", trackName: "screen", mid: "2", layer: null },
    ];
    expect(plan([member("b", ["mic", "screen"], { tileWidth: 100, sharing: true })], held)).toEqual([]);
  });
});

// ---- properties ------------------------------------------------------------------------------

const IDS = ["a", "b", "c", "d", "e"];
const TRACKS = ["cam", "mic", "screen"];
const RIDS = [null, "f", "h", "q", "x"]; // "x": a layer we do not know

interface CallState {
  members: SfuMember[];
  held: HeldTrack[];
  inFlight: PullInFlight[];
}

const keyOf = (from: string, trackName: string) => `${from} ${trackName}`;

const memberArb = fc.record({
  id: fc.constantFrom(...IDS),
  tracks: fc.subarray(TRACKS),
  tileWidth: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: null }),
  speaking: fc.boolean(),
  sharing: fc.boolean(),
});

/** Any call: members (ids unique), tracks held from anyone (some who left), pulls in flight of tracks not held. */
const stateArb: fc.Arbitrary<CallState> = fc
  .tuple(
    fc.uniqueArray(memberArb, { selector: (m) => m.id, maxLength: IDS.length }),
    fc.array(
      fc.record({
        from: fc.constantFrom(...IDS),
        trackName: fc.constantFrom(...TRACKS),
        layer: fc.constantFrom(...RIDS),
      }),
      { maxLength: 20 },
    ),
    fc.uniqueArray(fc.record({ from: fc.constantFrom(...IDS), trackName: fc.constantFrom(...TRACKS) }), {
      selector: (p) => keyOf(p.from, p.trackName),
    }),
  )
  .map(([members, held, inFlight]) => {
    const heldTracks = held.map((h, i) => ({ ...h, mid: `m${i}` }));
    const heldKeys = new Set(heldTracks.map((h) => keyOf(h.from, h.trackName)));
    return { members, held: heldTracks, inFlight: inFlight.filter((p) => !heldKeys.has(keyOf(p.from, p.trackName))) };
  });

function planOf(state: CallState, layeredTracks: ReadonlySet<string> = LAYERED): SfuAction[] {
  return planSfu({ ...state, layers: LAYERS, layeredTracks });
}

/** What the engine does with a plan: a close drops the mids, a pull is in flight, a layer is asked for. */
function apply(state: CallState, actions: readonly SfuAction[]): CallState {
  let { held, inFlight } = state;
  for (const action of actions) {
    if (action.type === "close") held = held.filter((h) => !action.mids.includes(h.mid));
    if (action.type === "pull")
      inFlight = [...inFlight, ...action.trackNames.map((trackName) => ({ from: action.from, trackName }))];
    if (action.type === "layer") held = held.map((h) => (h.mid === action.mid ? { ...h, layer: action.layer } : h));
  }
  return { ...state, held, inFlight };
}

/** Every pull in flight is answered: its track is held on a new mid, with no layer asked for yet. */
function land(state: CallState): CallState {
  const landed = state.inFlight.map((p, i) => ({ ...p, mid: `new${i}`, layer: null }));
  return { ...state, held: [...state.held, ...landed], inFlight: [] };
}

function publishedKeys(state: CallState): string[] {
  return state.members.flatMap((m) => m.tracks.map((t) => keyOf(m.id, t)));
}

describe("planning, over any call", () => {
  it("leaves every published track pulled (held or on its way) exactly once, and nothing unpublished held", () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const after = apply(state, planOf(state));
        const published = publishedKeys(state);
        const pulled = [...after.held, ...after.inFlight].map((t) => keyOf(t.from, t.trackName));
        for (const k of published) expect(pulled.filter((p) => p === k)).toHaveLength(1);
        for (const h of after.held) expect(published).toContain(keyOf(h.from, h.trackName));
      }),
    );
  });

  it("has nothing more to do once its plan is carried out", () => {
    fc.assert(
      fc.property(stateArb, fc.boolean(), (state, screenLayered) => {
        const layered = screenLayered ? new Set(["cam", "screen"]) : LAYERED;
        expect(planOf(apply(state, planOf(state, layered)), layered)).toEqual([]);
      }),
    );
  });

  it("settles in a second round once the pulls have landed: exactly the published tracks held, once each", () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const landed = land(apply(state, planOf(state)));
        const settled = apply(landed, planOf(landed));
        expect(settled.inFlight).toEqual([]);
        expect(settled.held.map((h) => keyOf(h.from, h.trackName)).sort()).toEqual(publishedKeys(state).sort());
        expect(planOf(settled)).toEqual([]);
      }),
    );
  });

  it("names only mids we hold, each at most once, and pulls only what is published, not held nor on its way", () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const actions = planOf(state);
        const heldMids = new Set(state.held.map((h) => h.mid));
        const closed = actions.flatMap((a) => (a.type === "close" ? a.mids : []));
        const layered = actions.flatMap((a) => (a.type === "layer" ? [a.mid] : []));
        for (const mid of [...closed, ...layered]) expect(heldMids.has(mid)).toBe(true);
        expect(new Set(closed).size).toBe(closed.length);
        expect(new Set(layered).size).toBe(layered.length);
        for (const mid of layered) expect(closed).not.toContain(mid);

        const taken = new Set([...state.held, ...state.inFlight].map((t) => keyOf(t.from, t.trackName)));
        for (const a of actions) {
          if (a.type === "pull")
            for (const t of a.trackNames) {
              expect(taken.has(keyOf(a.from, t))).toBe(false);
              expect(publishedKeys(state)).toContain(keyOf(a.from, t));
            }
          const size = a.type === "pull" ? a.trackNames.length : a.type === "close" ? a.mids.length : 1;
          expect(size).toBeGreaterThan(0);
          expect(size).toBeLessThanOrEqual(MAX_SFU_TRACKS_PER_MESSAGE);
        }
      }),
    );
  });

  it("orders closes before pulls before layer changes", () => {
    const rank = { close: 0, pull: 1, layer: 2 } as const;
    fc.assert(
      fc.property(stateArb, (state) => {
        const ranks = planOf(state).map((a) => rank[a.type]);
        expect(ranks).toEqual([...ranks].sort());
      }),
    );
  });
});

describe("the layer for a tile, over any width", () => {
  const fitting = (width: number) => LADDER.find((l) => l.width >= width) ?? LADDER[LADDER.length - 1];
  /** The narrowest layer the tile is clearly smaller than (the widest when there is none). */
  const roomy = (width: number) => LADDER.find((l) => width < l.width * DOWN_MARGIN) ?? LADDER[LADDER.length - 1];
  const widthOf = (rid: string) => LADDER.find((l) => l.rid === rid)?.width ?? Number.NaN;

  it("is never narrower than the tile (up to the widest) nor wider than the tile with the hysteresis margin", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.constantFrom(...RIDS), (width, current) => {
        const chosen = widthOf(layerFor(LADDER, width, current));
        expect(chosen).toBeGreaterThanOrEqual(fitting(width)?.width ?? 0);
        expect(chosen).toBeLessThanOrEqual(roomy(width)?.width ?? 0);
      }),
    );
  });

  it("stays where it is when asked again for the same width", () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 0, max: 3000 }), { nil: null }), fc.constantFrom(...RIDS), (w, c) => {
        const once = layerFor(LADDER, w, c);
        expect(layerFor(LADDER, w, once)).toBe(once);
      }),
    );
  });
});
