/**
 * Who is speaking, in a call view over a fake call: a peer's level comes from what the browser
 * says about the audio received (no Web Audio per peer, and none at all in happy-dom), and a
 * change of who speaks redraws that person's tile, not the room around it.
 */
import { act } from "@testing-library/preact";
import { options } from "preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Peer } from "../../frontend/call/call";
import { FLOOR_DB } from "../../frontend/services/audio-level";
import { fakeCall, peerA, peerB } from "./fake-call";
import { renderRoomView, tileOf } from "./render-views";

afterEach(() => {
  vi.useRealTimers();
});

/** A peer whose received audio is as loud as `level` says; the stream stands in for the remote one. */
function speakingPeer(peer: Peer, level: { db: number }): Peer {
  const track = { kind: "audio", id: `${peer.id}-audio` } as MediaStreamTrack;
  const stream = new MediaStream();
  stream.getAudioTracks = () => [track];
  return { ...peer, stream, audioLevel: () => level.db };
}

/** Counts renders per component name while `during` runs (Preact's own render hook, as devtools use it). */
function rendersDuring(during: () => void): Map<string, number> {
  const hooks = options as unknown as { __r?: (vnode: { type: unknown }) => void };
  const previous = hooks.__r;
  const counts = new Map<string, number>();
  hooks.__r = (vnode) => {
    const name = typeof vnode.type === "function" ? vnode.type.name : "";
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    previous?.(vnode);
  };
  try {
    during();
  } finally {
    hooks.__r = previous;
  }
  return counts;
}

describe("speaking", () => {
  it("lights a peer's tile from the level of the audio received, with no AudioContext", () => {
    expect(typeof AudioContext).toBe("undefined");
    vi.useFakeTimers();
    const grace = { db: FLOOR_DB };
    renderRoomView(fakeCall({ peers: [speakingPeer(peerA, grace), peerB] }));
    act(() => void vi.advanceTimersByTime(500));
    expect(tileOf("Grace").classList.contains("tile--speaking")).toBe(false);
    grace.db = -20;
    act(() => void vi.advanceTimersByTime(200));
    expect(tileOf("Grace").classList.contains("tile--speaking")).toBe(true);
    expect(tileOf("Grace").classList.contains("tile--active")).toBe(true);
    expect(tileOf("Linus").classList.contains("tile--speaking")).toBe(false);
    grace.db = FLOOR_DB;
    act(() => void vi.advanceTimersByTime(2_000));
    expect(tileOf("Grace").classList.contains("tile--speaking")).toBe(false);
  });

  it("redraws only the tile of whoever starts or stops speaking, not the room", () => {
    vi.useFakeTimers();
    const grace = { db: FLOOR_DB };
    const linus = { db: FLOOR_DB };
    renderRoomView(fakeCall({ peers: [speakingPeer(peerA, grace), speakingPeer(peerB, linus)] }));
    act(() => void vi.advanceTimersByTime(500));
    const counts = rendersDuring(() => {
      grace.db = -20;
      act(() => void vi.advanceTimersByTime(200));
      linus.db = -10;
      act(() => void vi.advanceTimersByTime(200));
      grace.db = FLOOR_DB;
      linus.db = FLOOR_DB;
      act(() => void vi.advanceTimersByTime(2_000));
    });
    expect(tileOf("Grace").classList.contains("tile--speaking")).toBe(false);
    // Each tile redrew for its own changes (on, loudest, off)…
    expect(counts.get("TileFrame") ?? 0).toBeGreaterThanOrEqual(4);
    // …and nothing around them did.
    expect(counts.get("RoomView") ?? 0).toBe(0);
    expect(counts.get("Stage") ?? 0).toBe(0);
    expect(counts.get("ControlBar") ?? 0).toBe(0);
  });

  it("sizes the speaking bars by the level, without redrawing the tile, and leaves them alone while it holds", () => {
    vi.useFakeTimers();
    const grace = { db: -45 };
    renderRoomView(fakeCall({ peers: [speakingPeer(peerA, grace), peerB] }));
    act(() => void vi.advanceTimersByTime(1_000));
    const bars = tileOf("Grace").querySelector<HTMLElement>('[data-testid="speaking-bars"]');
    if (!bars) throw new Error("Grace speaks, but her tile shows no speaking bars");
    const height = () => Number.parseFloat(bars.style.getPropertyValue("--level"));
    const quiet = height();
    const louder = rendersDuring(() => {
      grace.db = -25;
      act(() => void vi.advanceTimersByTime(1_000));
    });
    const loud = height();
    expect(loud).toBeGreaterThan(quiet);
    // The bars moved with no render at all: the level is written straight into their style.
    expect(louder.get("TileFrame") ?? 0).toBe(0);
    expect(louder.get("SpeakingBars") ?? 0).toBe(0);
    // A level that holds writes nothing, so the page has nothing to draw.
    const setProperty = vi.spyOn(bars.style, "setProperty");
    act(() => void vi.advanceTimersByTime(1_000));
    expect(setProperty).not.toHaveBeenCalled();
    expect(height()).toBe(loud);
    grace.db = -48;
    act(() => void vi.advanceTimersByTime(1_000));
    expect(height()).toBeLessThan(loud);
  });
});
