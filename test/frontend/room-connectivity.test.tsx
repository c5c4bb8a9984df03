import { signal } from "@preact/signals";
import { act, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import type { ConnectionQuality } from "../../frontend/call/peer/quality";
import { fakeCall, peerA, peerB } from "./fake-call";
import { renderRoomView } from "./render-views";

const good: ConnectionQuality = { level: "good", rttMs: 42, lossPercent: 0, fps: 30, stalled: false };

describe("the room page while the connection recovers", () => {
  it("says “Reconnecting…” out loud while the socket is down, keeping everyone's tile, and clears it once back", async () => {
    const call = fakeCall({ peers: [peerA, peerB] });
    const { container } = renderRoomView(call);

    await act(() => {
      call.status.value = "reconnecting";
    });
    const status = screen.getByText("Reconnecting…");
    expect(status.closest("[aria-live]")?.getAttribute("aria-live")).toBe("polite");
    expect(container.querySelectorAll('[data-testid="remote-tile"]')).toHaveLength(2);

    await act(() => {
      call.status.value = "joined";
    });
    expect(screen.queryByText("Reconnecting…")).toBeNull();
    expect(container.querySelectorAll('[data-testid="remote-tile"]')).toHaveLength(2);
  });
});

describe("the connection quality badge", () => {
  it("names the level and describes the numbers, and follows each new sample", async () => {
    const quality = signal<ConnectionQuality | null>(null);
    const call = fakeCall({ peers: [{ ...peerA, quality }] });
    renderRoomView(call);
    // Nothing measured yet: no badge rather than a guess.
    expect(screen.queryByRole("button", { name: /^Connection/ })).toBeNull();

    await act(() => {
      quality.value = good;
    });
    const badge = screen.getByRole("button", { name: "Connection good" });
    const details = document.getElementById(badge.getAttribute("aria-describedby") ?? "");
    expect(details?.textContent).toBe("Connection good: round trip 42 ms, packet loss 0.0%, 30 fps");
    expect(details?.getAttribute("role")).toBe("tooltip");

    await act(() => {
      quality.value = { level: "poor", rttMs: 640, lossPercent: 12, fps: null, stalled: false };
    });
    expect(screen.getByRole("button", { name: "Connection poor" })).toBe(badge);
    expect(details?.textContent).toBe("Connection poor: round trip 640 ms, packet loss 12%, no video");

    // An outage: nothing arrives, and the badge says so rather than repeat stale numbers.
    await act(() => {
      quality.value = { level: "poor", rttMs: null, lossPercent: null, fps: null, stalled: true };
    });
    expect(screen.getByRole("button", { name: "No media arriving" })).toBe(badge);
    expect(details?.textContent).toBe("No media arriving: no audio or video has arrived for the last few seconds");
  });

  it("gives every tile its own details", async () => {
    const call = fakeCall({
      peers: [
        { ...peerA, quality: signal<ConnectionQuality | null>(good) },
        { ...peerB, quality: signal<ConnectionQuality | null>({ ...good, level: "fair", rttMs: 300 }) },
      ],
    });
    renderRoomView(call);
    const badges = screen.getAllByRole("button", { name: /^Connection (good|fair)$/ });
    const ids = badges.map((b) => b.getAttribute("aria-describedby"));
    expect(new Set(ids).size).toBe(2);
  });
});
