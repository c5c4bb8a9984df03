import { act, fireEvent, screen, within } from "@testing-library/preact";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeCall, peerA, peerB } from "./fake-call";
import { fakeMedia } from "./fake-media";
import { button, prefetchOnDemand, renderRoomView as renderView, tileOf } from "./render-views";

// The chat panel and the dialogs: their chunk in, as in a call a moment after it appears.
beforeAll(prefetchOnDemand);

describe("call controls", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("name the microphone and camera buttons after what pressing them does now", async () => {
    const call = fakeCall();
    renderView(call);

    fireEvent.click(button("Mute microphone"));
    expect(call.calls).toEqual([["setMicrophone", false]]);
    expect(button("Unmute microphone")).toBeTruthy();
    fireEvent.click(button("Unmute microphone"));
    expect(button("Mute microphone")).toBeTruthy();

    fireEvent.click(button("Turn camera off"));
    expect(button("Turn camera on")).toBeTruthy();
    fireEvent.click(button("Turn camera on"));
    expect(call.calls.slice(2)).toEqual([
      ["setCamera", false],
      ["setCamera", true],
    ]);
  });

  it("say when there is no microphone or camera to switch", () => {
    const call = fakeCall({ media: fakeMedia({ audio: false, video: false }) });
    renderView(call);
    expect((button("Microphone unavailable") as HTMLButtonElement).disabled).toBe(true);
    expect((button("Camera unavailable") as HTMLButtonElement).disabled).toBe(true);
  });

  it("share the screen and stop sharing", async () => {
    const call = fakeCall();
    renderView(call);
    await act(async () => {
      fireEvent.click(button("Share screen"));
    });
    expect(call.calls).toEqual([["shareScreen"]]);
    fireEvent.click(button("Stop sharing"));
    expect(call.calls).toEqual([["shareScreen"], ["stopScreenShare"]]);
    expect(button("Share screen")).toBeTruthy();
  });

  it("offer no screen sharing where the browser has none (phones)", () => {
    renderView(fakeCall({ canShareScreen: false }));
    expect(screen.queryByRole("button", { name: "Share screen" })).toBeNull();
  });

  it("open the chat, show unread messages on its button, and give focus back on close", async () => {
    const call = fakeCall();
    renderView(call);
    await act(() => {
      call.chat.unread.value = 3;
    });
    const chat = button("Chat, 3 unread");
    expect(chat.getAttribute("aria-expanded")).toBe("false");
    expect(chat.textContent).toBe("3");

    fireEvent.click(chat);
    expect(button("Chat").getAttribute("aria-expanded")).toBe("true");
    expect(screen.getByRole("region", { name: "Chat" })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText("Message to everyone"));

    fireEvent.click(button("Close chat"));
    expect(screen.queryByRole("region", { name: "Chat" })).toBeNull();
    expect(document.activeElement).toBe(button("Chat"));
  });

  it("copy the room's link and say so where it can be seen", async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    renderView(fakeCall());
    await act(async () => {
      fireEvent.click(button("Copy link"));
    });
    expect(writeText).toHaveBeenCalledWith(location.href);
    expect(screen.getByText("Copied")).toBeTruthy();
  });

  it("leave with “Leave call”", () => {
    const leaves: number[] = [];
    renderView(fakeCall(), { onLeave: () => leaves.push(1) });
    fireEvent.click(button("Leave call"));
    expect(leaves).toEqual([1]);
  });
});

describe("keyboard shortcuts in the call", () => {
  it("toggle microphone, camera, screen and chat, and list themselves on ?", async () => {
    const call = fakeCall();
    renderView(call);
    await act(async () => {
      for (const key of ["m", "v", "d"]) fireEvent.keyDown(document.body, { key });
    });
    expect(call.calls).toEqual([["setMicrophone", false], ["setCamera", false], ["shareScreen"]]);

    fireEvent.keyDown(document.body, { key: "c" });
    expect(screen.getByRole("region", { name: "Chat" })).toBeTruthy();

    fireEvent.keyDown(document.body, { key: "?" });
    const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(
      within(dialog)
        .getAllByRole("listitem")
        .map((item) => item.querySelector("kbd")?.textContent),
    ).toEqual(["M", "Space", "V", "D", "C", "R", "P", "L", "F", "1", "2", "3", "4", "5", "6", "?"]);
  });

  it("are ignored while typing a chat message", () => {
    const call = fakeCall();
    renderView(call);
    fireEvent.click(button("Chat"));
    const box = screen.getByLabelText("Message to everyone");
    fireEvent.keyDown(box, { key: "m" });
    fireEvent.keyDown(box, { key: "c" });
    expect(call.calls).toEqual([]);
    expect(screen.getByRole("region", { name: "Chat" })).toBeTruthy();
  });
});

describe("tiles", () => {
  it("show a muted badge and the initials when a peer's microphone and camera are off", async () => {
    const call = fakeCall({ peers: [peerA] });
    renderView(call);
    const grace = () => tileOf("Grace");
    expect(within(grace()).queryByRole("img", { name: "Microphone muted" })).toBeNull();

    await act(() => {
      call.peers.value = [{ ...peerA, stream: new MediaStream(), audio: false, video: false }];
    });
    expect(within(grace()).getByRole("img", { name: "Microphone muted" })).toBeTruthy();
    expect(within(grace()).getByTestId("avatar").textContent).toBe("G");

    await act(() => {
      call.peers.value = [{ ...peerA, name: "Grace Hopper", stream: new MediaStream(), audio: true, video: true }];
    });
    const renamed = tileOf("Grace Hopper");
    expect(within(renamed).queryByTestId("avatar")).toBeNull();
    expect(within(renamed).queryByRole("img", { name: "Microphone muted" })).toBeNull();
  });

  it("show our own muted badge and avatar too", async () => {
    const call = fakeCall();
    renderView(call);
    fireEvent.click(button("Mute microphone"));
    fireEvent.click(button("Turn camera off"));
    const self = screen.getByTestId("self-tile");
    expect(within(self).getByRole("img", { name: "Microphone muted" })).toBeTruthy();
    expect(within(self).getByTestId("avatar").textContent).toBe("A");
  });

  it("pin one person large, and unpin", () => {
    renderView(fakeCall({ peers: [peerA, peerB] }));
    fireEvent.click(button("Pin Linus"));
    expect(tileOf("Linus").classList.contains("tile--spotlight")).toBe(true);
    expect(screen.getByRole("region", { name: "Participants" }).classList.contains("grid--spotlight")).toBe(true);

    fireEvent.click(button("Unpin Linus"));
    expect(tileOf("Linus").classList.contains("tile--spotlight")).toBe(false);
  });

  it("put whoever presents on the stage", async () => {
    const call = fakeCall({ peers: [peerA, peerB] });
    renderView(call);
    await act(() => {
      call.peers.value = [peerA, { ...peerB, screen: true, stream: new MediaStream() }];
    });
    const linus = tileOf("Linus");
    expect(linus.classList.contains("tile--spotlight")).toBe(true);
    expect(linus.dataset.screen).toBe("true");
    expect(within(linus).getByText("Presenting")).toBeTruthy();
  });

  it("hide our own view, and bring it back", () => {
    renderView(fakeCall({ peers: [peerA] }));
    fireEvent.click(button("Hide self view"));
    expect(screen.queryByTestId("self-tile")).toBeNull();
    fireEvent.click(button("Show self view"));
    expect(screen.getByTestId("self-tile")).toBeTruthy();
  });
});

describe("settings", () => {
  it("rename us for everyone, switch devices, and return focus to the button", async () => {
    const call = fakeCall();
    renderView(call);
    const settings = button("Settings");
    settings.focus();
    fireEvent.click(settings);
    const dialog = screen.getByRole("dialog", { name: "Settings" });

    fireEvent.input(within(dialog).getByLabelText("Your name"), { target: { value: "Ada L." } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save name" }));
    expect(call.calls).toEqual([["rename", "Ada L."]]);
    expect(within(dialog).getByText(/everyone in the call sees your new name/)).toBeTruthy();
    expect(localStorage.getItem("natter:name")).toBe("Ada L.");

    await act(async () => {
      fireEvent.change(within(dialog).getByLabelText("Camera"), { target: { value: "video-2" } });
    });
    expect(call.calls.at(-1)).toEqual(["useDevice", "videoinput", "video-2"]);

    fireEvent.click(within(dialog).getByRole("button", { name: "Done" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(settings);
    localStorage.clear();
  });
});
