import { act, fireEvent, screen, within } from "@testing-library/preact";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeCall, peerA } from "./fake-call";
import { prefetchOnDemand, renderRoom, renderRoomView as renderView } from "./render-views";

// The chat panel and the dialogs: their chunk in, as in a call a moment after it appears.
beforeAll(prefetchOnDemand);

/** The sentence under the key field that says where we stand. */
function doorStatus(): string {
  const panel = screen.getByRole("region", { name: "This room is locked" });
  return within(panel).getByRole("status").textContent ?? "";
}

describe("the door of a locked room", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks for the key or a knock, and shows nothing about who is inside", () => {
    const call = fakeCall({ status: "outside", access: { state: "locked" }, peers: [peerA] });
    renderView(call);

    expect(screen.getByRole("heading", { name: "This room is locked" })).toBeTruthy();
    expect(screen.getByLabelText("Room key").getAttribute("type")).toBe("password");
    expect(screen.getByRole("button", { name: "Enter room" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Ask to join" })).toBeTruthy();
    expect(screen.queryByTestId("self-tile")).toBeNull();
    expect(screen.queryByText("Grace")).toBeNull();
    expect(screen.queryByText(/people in the call/)).toBeNull();
  });

  it("sends the key and clears the field", () => {
    const call = fakeCall({ status: "outside", access: { state: "locked" } });
    renderView(call);

    fireEvent.input(screen.getByLabelText("Room key"), { target: { value: "open sesame" } });
    fireEvent.click(screen.getByRole("button", { name: "Enter room" }));

    expect(call.calls).toEqual([["submitKey", "open sesame"]]);
    expect((screen.getByLabelText("Room key") as HTMLInputElement).value).toBe("");
  });

  it("says why a key cannot be sent, and keeps it for fixing", () => {
    const call = fakeCall({ status: "outside", access: { state: "locked" } });
    call.refuseKeysWith({ key: "keyTooShort", values: { min: 4 } });
    renderView(call);

    fireEvent.input(screen.getByLabelText("Room key"), { target: { value: "abc" } });
    fireEvent.click(screen.getByRole("button", { name: "Enter room" }));

    expect(screen.getByRole("alert").textContent).toBe("A room key has at least 4 characters.");
    expect((screen.getByLabelText("Room key") as HTMLInputElement).value).toBe("abc");
  });

  it("says a key was wrong and how many tries are left", async () => {
    const call = fakeCall({ status: "outside", access: { state: "wrong-key", triesLeft: 3 } });
    renderView(call);
    expect(doorStatus()).toBe("That key is wrong. 3 tries left before waits start.");

    await act(() => {
      call.access.value = { state: "wrong-key", triesLeft: 1 };
    });
    expect(doorStatus()).toBe("That key is wrong. 1 try left before waits start.");

    await act(() => {
      call.access.value = { state: "wrong-key", triesLeft: 0 };
    });
    expect(doorStatus()).toMatch(/^That key is wrong\. From now on each try has to wait/);
  });

  it("counts down a throttle and keeps “Enter room” disabled until it ends", async () => {
    vi.useFakeTimers();
    const call = fakeCall({ status: "outside", access: { state: "throttled", retryAt: Date.now() + 3_000 } });
    renderView(call);
    const enter = () => screen.getByRole("button", { name: "Enter room" }) as HTMLButtonElement;

    expect(doorStatus()).toBe("Too many wrong keys. Try again in 3 sec.");
    expect(screen.getByRole("timer").textContent).toBe("3 sec");
    expect(enter().disabled).toBe(true);
    // Knocking is the way in for someone held up by another person's guessing.
    expect((screen.getByRole("button", { name: "Ask to join" }) as HTMLButtonElement).disabled).toBe(false);

    await act(() => {
      vi.advanceTimersByTime(1_000);
    });
    expect(doorStatus()).toBe("Too many wrong keys. Try again in 2 sec.");

    await act(() => {
      vi.advanceTimersByTime(2_000);
    });
    expect(doorStatus()).toBe("You can try a key again now.");
    expect(enter().disabled).toBe(false);
  });

  it("writes long waits in minutes", () => {
    const call = fakeCall({ status: "outside", access: { state: "throttled", retryAt: Date.now() + 125_000 } });
    renderView(call);
    expect(doorStatus()).toMatch(/^Too many wrong keys\. Try again in 2 min (5|4) sec\.$/);
  });

  it("knocks, and says how the knock is going", async () => {
    const call = fakeCall({ status: "outside", access: { state: "locked" } });
    renderView(call);

    fireEvent.click(screen.getByRole("button", { name: "Ask to join" }));
    expect(call.calls).toEqual([["knock"]]);

    await act(() => {
      call.access.value = { state: "knocking" };
    });
    expect(doorStatus()).toBe("Asking to join… someone inside needs to let you in.");
    expect((screen.getByRole("button", { name: "Ask to join" }) as HTMLButtonElement).disabled).toBe(true);

    await act(() => {
      call.access.value = { state: "declined" };
    });
    expect(doorStatus()).toBe("Your request was declined.");

    await act(() => {
      call.access.value = { state: "lapsed" };
    });
    expect(doorStatus()).toBe("No one answered. Ask again?");
    fireEvent.click(screen.getByRole("button", { name: "Ask to join" }));
    expect(call.calls).toEqual([["knock"], ["knock"]]);

    await act(() => {
      call.access.value = { state: "too-many-knocks" };
    });
    expect(doorStatus()).toBe("Too many requests to join right now. Try again in a little while.");
  });
});

describe("inside a call", () => {
  it("shows who locked the room and offers to unlock it", async () => {
    const call = fakeCall();
    renderView(call);
    expect(screen.queryByText(/Locked by/)).toBeNull();
    expect(screen.getByRole("button", { name: "Lock room" })).toBeTruthy();

    await act(() => {
      call.lock.value = { by: "Grace", byId: peerA.id };
      call.lockNews.value = { locked: true, by: "Grace", byId: peerA.id };
    });
    // The name is an element of its own (a bidi isolate), so the sentence is matched as a whole.
    expect(screen.getByText(/^Locked by/).textContent).toBe("Locked by Grace");
    expect(screen.getByText(/locked the room\.$/).textContent).toBe("Grace locked the room.");
    fireEvent.click(screen.getByRole("button", { name: "Unlock room" }));
    expect(call.calls).toEqual([["unlockRoom"]]);
  });

  it("locks with a strong suggested key, from a labelled modal dialog", () => {
    const call = fakeCall();
    renderView(call);
    const lockButton = screen.getByRole("button", { name: "Lock room" });
    lockButton.focus();
    fireEvent.click(lockButton);

    const dialog = screen.getByRole("dialog", { name: "Lock room" }) as HTMLDialogElement;
    expect(dialog.tagName).toBe("DIALOG");
    expect(dialog.open).toBe(true);
    const key = (within(dialog).getByLabelText("Room key") as HTMLInputElement).value;
    expect(key).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(within(dialog).getByText(/80 random bits/)).toBeTruthy();
    expect(within(dialog).getByRole("button", { name: "Copy key" })).toBeTruthy();

    fireEvent.click(within(dialog).getByRole("button", { name: "Lock" }));
    expect(call.calls).toEqual([["lockRoom", key]]);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(lockButton);
  });

  it("keeps the lock dialog open when the key cannot be used", () => {
    const call = fakeCall();
    call.refuseKeysWith({ key: "keyTooShort", values: { min: 4 } });
    renderView(call);
    fireEvent.click(screen.getByRole("button", { name: "Lock room" }));
    const dialog = screen.getByRole("dialog", { name: "Lock room" });

    fireEvent.input(within(dialog).getByLabelText("Room key"), { target: { value: "abc" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Lock" }));

    expect(within(dialog).getByRole("alert").textContent).toBe("A room key has at least 4 characters.");
    expect(screen.getByRole("dialog", { name: "Lock room" })).toBeTruthy();
  });

  it("shows each knock with Admit and Deny buttons that name the person", async () => {
    const call = fakeCall({ lock: { by: "Ada", byId: null } });
    renderView(call);

    await act(() => {
      call.knocks.value = [
        { id: "c".repeat(32), name: "Cy" },
        { id: "d".repeat(32), name: "Dee" },
      ];
    });
    // Each name is an element of its own (a bidi isolate), so the sentences are matched whole.
    expect(screen.getAllByText(/is asking to join$/).map((p) => p.textContent)).toEqual([
      "At the door: Cy is asking to join",
      "At the door: Dee is asking to join",
    ]);
    expect(screen.queryByText(/already has this name/)).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Admit Cy" }));
    fireEvent.click(screen.getByRole("button", { name: "Deny Dee" }));
    expect(call.calls).toEqual([
      ["admit", "c".repeat(32)],
      ["deny", "d".repeat(32)],
    ]);
  });

  it("warns when a knocker's name looks like the name of someone inside", async () => {
    const call = fakeCall({ lock: { by: "Ada", byId: null } });
    renderView(call);
    await act(() => {
      call.knocks.value = [{ id: "c".repeat(32), name: "Ada", nameInUse: true }];
    });
    // The name is a bidi isolate of its own, so the sentence is matched whole.
    expect(screen.getByText(/is asking to join$/).textContent).toMatch(
      /^At the door: Ada( #[0-9a-f]+)? is asking to join$/,
    );
    expect(screen.getByText("Someone in the call already has this name. This is a different person.")).toBeTruthy();
  });

  it("says when someone outside tried a wrong key", async () => {
    const call = fakeCall({ lock: { by: "Ada", byId: null } });
    renderView(call);
    expect(screen.queryByText("Someone tried a wrong key for this room.")).toBeNull();

    await act(() => {
      call.guessWarning.value = { failures: 2, at: Date.now() };
    });
    expect(screen.getByText("Someone tried a wrong key for this room.")).toBeTruthy();
  });

  it("says out loud why the room refused a lock", async () => {
    const call = fakeCall({ lock: null });
    renderView(call);
    await act(() => {
      call.roomNotice.value = "lock-cooldown";
    });
    const notice = screen.getByText("You just locked or unlocked the room; try again in a few seconds.");
    expect(notice.closest("[role=status]")).not.toBeNull();
  });

  it("in an unlocked room, asks to lock before removing someone", () => {
    const call = fakeCall({ peers: [peerA] });
    renderView(call);

    fireEvent.click(screen.getByRole("button", { name: "Remove Grace from call" }));
    const dialog = screen.getByRole("dialog", { name: "Remove Grace from the call" });
    expect(within(dialog).getByText(/^Lock the room first/).textContent).toBe(
      "Lock the room first, or Grace can rejoin with the link.",
    );
    const key = (within(dialog).getByLabelText("Room key") as HTMLInputElement).value;
    expect(key).not.toBe("");

    fireEvent.click(within(dialog).getByRole("button", { name: "Lock and remove" }));
    expect(call.calls).toEqual([["lockRoom", key, { thenRemove: peerA.id }]]);
  });

  it("lets the lock-first dialog be cancelled without locking or removing", () => {
    const call = fakeCall({ peers: [peerA] });
    renderView(call);

    fireEvent.click(screen.getByRole("button", { name: "Remove Grace from call" }));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));

    expect(screen.queryByRole("dialog")).toBeNull();
    expect(call.calls).toEqual([]);
  });

  it("in a locked room, confirms and removes", () => {
    const call = fakeCall({ peers: [peerA], lock: { by: "Ada", byId: null } });
    renderView(call);

    fireEvent.click(screen.getByRole("button", { name: "Remove Grace from call" }));
    const dialog = screen.getByRole("dialog", { name: "Remove Grace from the call?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove" }));

    expect(call.calls).toEqual([["removePeer", peerA.id]]);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("turns the lock-first dialog into a plain confirmation if someone else locks meanwhile", async () => {
    const call = fakeCall({ peers: [peerA] });
    renderView(call);
    fireEvent.click(screen.getByRole("button", { name: "Remove Grace from call" }));

    await act(() => {
      call.lock.value = { by: "Linus", byId: "b".repeat(32) };
    });
    expect(screen.queryByRole("dialog", { name: "Remove Grace from the call" })).toBeNull();
    expect(screen.getByRole("dialog", { name: "Remove Grace from the call?" })).toBeTruthy();
  });
});

describe("being removed", () => {
  it("gets a page of its own that says so, with a way home", async () => {
    const { started } = renderRoom();
    const call = started[0]!.call;

    await act(() => {
      call.removedBy.value = { name: "Grace", tag: null };
      call.status.value = "removed";
    });
    expect(screen.getByRole("heading").textContent).toBe("You were removed from the call");
    // The room name sits in its own bidi isolate inside the sentence.
    const sentence = screen.getByText(
      (_, element) => element?.tagName === "P" && /removed you/.test(element.textContent ?? ""),
    );
    expect(sentence.textContent).toBe("Grace removed you from team-sync.");
    expect(screen.getByRole("link", { name: "Back to home" }).getAttribute("href")).toBe("/");
  });
});
