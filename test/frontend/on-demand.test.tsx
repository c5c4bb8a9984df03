/**
 * The call's dialogs and chat panel come in a chunk of their own (pages/room/on-demand.ts), which
 * the call view fetches once the join has settled. This file starts without that chunk (each test file
 * has its own modules), so it shows what happens when someone opens one before it is in: the open
 * state is kept, and the dialog or panel shows as soon as the chunk arrives. The generic part
 * (placeholders, a failed download tried again) is lazy.test.tsx.
 */
import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { fakeCall, peerA } from "./fake-call";
import { button, renderRoomView } from "./render-views";

describe("the call's on-demand parts", () => {
  it("show a dialog opened right away, with what it needs, once their code is in", async () => {
    const call = fakeCall({ peers: [peerA] });
    renderRoomView(call);
    fireEvent.click(button("Lock room"));

    const dialog = await screen.findByRole("dialog", { name: "Lock room" }, { timeout: 10_000 });
    expect((dialog as HTMLDialogElement).open).toBe(true);
    const key = (within(dialog).getByLabelText("Room key") as HTMLInputElement).value;
    fireEvent.click(within(dialog).getByRole("button", { name: "Lock" }));
    expect(call.calls).toEqual([["lockRoom", key]]);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("open the chat with its message box focused, and give focus back on close", async () => {
    const call = fakeCall();
    renderRoomView(call);
    fireEvent.click(button("Chat"));

    const box = await screen.findByLabelText("Message to everyone", undefined, { timeout: 10_000 });
    // The panel takes focus in an effect, which runs just after it first shows.
    await waitFor(() => expect(document.activeElement).toBe(box));
    fireEvent.click(button("Close chat"));
    expect(screen.queryByRole("region", { name: "Chat" })).toBeNull();
    expect(document.activeElement).toBe(button("Chat"));
  });
});
