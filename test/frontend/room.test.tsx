import { act, fireEvent, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { fakeCall, peerA, peerB } from "./fake-call";
import { remoteTiles, renderRoom, renderRoomView } from "./render-views";

describe("RoomView", () => {
  it("draws one remote tile per peer, each captioned with the peer's name", () => {
    const call = fakeCall({ peers: [peerA, peerB] });
    const { container } = renderRoomView(call);

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
    const { container } = renderRoomView(call);

    const self = screen.getByTestId("self-tile");
    expect(self.querySelector("video")?.muted).toBe(true);
    expect(self.textContent).toContain("Ada");
    expect(remoteTiles(container)).toHaveLength(0);
  });

  it("adds a tile when a peer joins and removes it when the peer leaves", async () => {
    const call = fakeCall({ peers: [peerA] });
    const { container } = renderRoomView(call);

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
    const { container } = renderRoomView(call);
    const stream = new MediaStream();

    await act(() => {
      call.peers.value = [{ ...peerA, stream }];
    });
    expect(remoteTiles(container)[0]?.querySelector("video")?.srcObject).toBe(stream);
  });

  it("says why there is no camera or microphone, as a status message", async () => {
    const call = fakeCall();
    renderRoomView(call);
    const message = "No camera or microphone found — you can still watch and listen.";
    expect(screen.queryByText(message)).toBeNull();

    await act(() => {
      call.mediaError.value = { missing: "both", reason: "NotFoundError" };
    });
    expect(screen.getByText(message).getAttribute("role")).toBe("status");
  });

  it("shows why the call stopped, with a way to try again", () => {
    const call = fakeCall({ status: "error" });
    call.error.value = "lost";
    let retries = 0;
    renderRoomView(call, { onRetry: () => retries++ });

    expect(screen.getByRole("alert").textContent).toContain("Lost the connection to the room.");
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retries).toBe(1);
  });
});

describe("Room", () => {
  /** Joins through the hair check, as a person would, and lets the fake room answer. */
  async function joinThroughHairCheck(call: ReturnType<typeof fakeCall>) {
    fireEvent.click(screen.getByRole("button", { name: "Join" }));
    await act(() => {
      call.status.value = "joined";
    });
  }

  it("opens the room's socket and the camera at once, but joins only from the hair check", async () => {
    localStorage.setItem("natter:name", "Grace");
    const { started } = renderRoom();

    expect(started.map((s) => s.options.room)).toEqual(["team-sync"]);
    expect(started[0]?.options.media).toBe(started[0]?.media);
    expect(started[0]?.media.calls).toEqual([["start"]]);
    expect(started[0]?.call.calls).toEqual([]);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Ready to join?");
    expect((screen.getByLabelText("Your name") as HTMLInputElement).value).toBe("Grace");

    fireEvent.input(screen.getByLabelText("Your name"), { target: { value: "  Grace Hopper " } });
    fireEvent.click(screen.getByRole("button", { name: "Join" }));
    expect(started[0]?.call.calls).toEqual([["join", "Grace Hopper"]]);
    expect(localStorage.getItem("natter:name")).toBe("Grace Hopper");
    // Until the room answers, the hair check stays (a locked door must not flash the grid first).
    expect(screen.getByRole("button", { name: "Joining…" })).toBeTruthy();

    await act(() => {
      started[0]!.call.status.value = "joined";
    });
    expect(screen.getByTestId("self-tile")).toBeTruthy();
    localStorage.clear();
  });

  it("leaves the call and stops the camera on unmount", () => {
    const { started, unmount } = renderRoom();
    act(() => {
      unmount();
    });
    expect(started[0]?.call.leaves).toBe(1);
    expect(started[0]?.media.calls).toContainEqual(["stop"]);
  });

  it("leaves on 'Leave call', says so, and rejoins through a new hair check", async () => {
    const { started } = renderRoom();
    await joinThroughHairCheck(started[0]!.call);

    fireEvent.click(screen.getByRole("button", { name: "Leave call" }));
    expect(await screen.findByText(/You left/)).toBeTruthy();
    expect(screen.getByRole("heading").textContent).toBe("You left team-sync");
    expect(screen.getByRole("link", { name: "New room" }).getAttribute("href")).toBe("/");

    fireEvent.click(screen.getByRole("button", { name: "Rejoin" }));
    expect(await screen.findByRole("heading", { name: "Ready to join?" })).toBeTruthy();
    expect(started).toHaveLength(2);
    await joinThroughHairCheck(started[1]!.call);
    expect(screen.getByRole("button", { name: "Leave call" })).toBeTruthy();
  });

  it("shows the room's name in the page title", () => {
    const { unmount } = renderRoom();
    expect(document.title).toBe("team-sync · natter");
    act(() => {
      unmount();
    });
    expect(document.title).toBe("natter");
  });
});
