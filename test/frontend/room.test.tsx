import { act, fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import type { CallOptions } from "../../frontend/call/call";
import { Room, RoomView } from "../../frontend/pages/Room";
import { fakeCall, peerA, peerB } from "./fake-call";

const noop = () => {};

function remoteTiles(container: ParentNode): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')];
}

describe("RoomView", () => {
  it("draws one remote tile per peer, each captioned with the peer's name", () => {
    const call = fakeCall({ peers: [peerA, peerB] });
    const { container } = render(<RoomView room="team-sync" call={call} onLeave={noop} onRetry={noop} />);

    const tiles = remoteTiles(container);
    expect(tiles.map((t) => t.tagName)).toEqual(["FIGURE", "FIGURE"]);
    expect(tiles.map((t) => t.dataset.peerId)).toEqual([peerA.id, peerB.id]);
    expect(tiles.map((t) => t.querySelector("figcaption")?.textContent)).toEqual(["Grace", "Linus"]);
    for (const tile of tiles) {
      const video = tile.querySelector("video");
      expect(video?.hasAttribute("autoplay")).toBe(true);
      expect(video?.hasAttribute("playsinline")).toBe(true);
    }
  });

  it("shows our own muted preview in the self tile", () => {
    const call = fakeCall();
    const { container } = render(<RoomView room="team-sync" call={call} onLeave={noop} onRetry={noop} />);

    const self = screen.getByTestId("self-tile");
    expect(self.querySelector("video")?.muted).toBe(true);
    expect(self.textContent).toContain("Ada");
    expect(remoteTiles(container)).toHaveLength(0);
  });

  it("adds a tile when a peer joins and removes it when the peer leaves", async () => {
    const call = fakeCall({ peers: [peerA] });
    const { container } = render(<RoomView room="team-sync" call={call} onLeave={noop} onRetry={noop} />);

    await act(() => {
      call.peers.value = [peerA, peerB];
    });
    expect(remoteTiles(container).map((t) => t.dataset.peerId)).toEqual([peerA.id, peerB.id]);

    await act(() => {
      call.peers.value = [peerB];
    });
    expect(remoteTiles(container).map((t) => t.dataset.peerId)).toEqual([peerB.id]);
    expect(screen.queryByText("Grace")).toBeNull();
  });

  it("attaches a peer's stream to its video once media arrives", async () => {
    const call = fakeCall({ peers: [peerA] });
    const { container } = render(<RoomView room="team-sync" call={call} onLeave={noop} onRetry={noop} />);
    const stream = new MediaStream();

    await act(() => {
      call.peers.value = [{ ...peerA, stream }];
    });
    expect(remoteTiles(container)[0]?.querySelector("video")?.srcObject).toBe(stream);
  });

  it("says why there is no camera or microphone, as a status message", async () => {
    const call = fakeCall();
    render(<RoomView room="team-sync" call={call} onLeave={noop} onRetry={noop} />);
    const message = "No camera or microphone found — you can still watch and listen.";
    expect(screen.queryByText(message)).toBeNull();

    await act(() => {
      call.mediaError.value = message;
    });
    expect(screen.getByText(message).getAttribute("role")).toBe("status");
  });

  it("shows why the call stopped, with a way to try again", () => {
    const call = fakeCall({ status: "error" });
    call.error.value = "Lost the connection to the room.";
    let retries = 0;
    render(<RoomView room="team-sync" call={call} onLeave={noop} onRetry={() => retries++} />);

    expect(screen.getByRole("alert").textContent).toContain("Lost the connection to the room.");
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retries).toBe(1);
  });
});

describe("Room", () => {
  /** Hands out fake calls and remembers them, standing in for the WebRTC engine. */
  function engineFactory() {
    const started: { options: CallOptions; call: ReturnType<typeof fakeCall> }[] = [];
    const start = (options: CallOptions) => {
      const call = fakeCall();
      started.push({ options, call });
      return call;
    };
    return { started, start };
  }

  it("starts a call for the room and leaves it on unmount", () => {
    const { started, start } = engineFactory();
    const { unmount } = render(<Room room="team-sync" startCall={start} />);

    expect(started.map((s) => s.options.room)).toEqual(["team-sync"]);
    expect(started[0]?.options.name).toMatch(/\S/);
    act(() => {
      unmount();
    });
    expect(started[0]?.call.leaves).toBe(1);
  });

  it("leaves on 'Leave call', says so, and rejoins with a new call", async () => {
    const { started, start } = engineFactory();
    render(<Room room="team-sync" startCall={start} />);

    fireEvent.click(screen.getByRole("button", { name: "Leave call" }));
    expect(await screen.findByText(/You left/)).toBeTruthy();
    expect(screen.getByRole("heading").textContent).toBe("You left team-sync");
    expect(screen.getByRole("link", { name: /home/i }).getAttribute("href")).toBe("/");

    fireEvent.click(screen.getByRole("button", { name: "Rejoin" }));
    expect(await screen.findByRole("button", { name: "Leave call" })).toBeTruthy();
    expect(started).toHaveLength(2);
    expect(started[1]?.call.status.value).toBe("joined");
  });
});
