/**
 * Raised hands and reactions in the page: the engine's mirror of the room's word (etiquette.ts),
 * and the views over a fake call: tiles, the control bar, the shortcuts and the people list.
 */
import { act, fireEvent, screen, within } from "@testing-library/preact";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { ClientMessage } from "../../common/protocol";
import { Etiquette, REACTION_SHOW_MS } from "../../frontend/call/etiquette";
import { fakeCall, peerA, peerB } from "./fake-call";
import { button, prefetchOnDemand, renderRoomView as renderView, tileOf } from "./render-views";

beforeAll(prefetchOnDemand);
afterEach(() => {
  vi.useRealTimers();
});

const SELF = "0".repeat(32);

describe("the engine's hands and reactions", () => {
  it("orders hands by the room's numbers, from the welcome and every change, and drops those who left", () => {
    const sent: ClientMessage[] = [];
    const etiquette = new Etiquette((m) => sent.push(m));
    etiquette.welcome([
      { id: peerA.id, name: "Grace", hand: 20 },
      { id: peerB.id, name: "Linus", hand: 10 },
    ]);
    expect(etiquette.hands.value).toEqual([peerB.id, peerA.id]);
    etiquette.update({ id: SELF, name: "Ada", hand: 30 });
    etiquette.update({ id: peerB.id, name: "Linus" });
    expect(etiquette.hands.value).toEqual([peerA.id, SELF]);
    etiquette.left(peerA.id);
    expect(etiquette.hands.value).toEqual([SELF]);
    // A welcome after a reconnect is the whole truth: hands others lowered meanwhile are down,
    // and ours is up only if the room kept it (a resume), as it says.
    etiquette.welcome([{ id: peerA.id, name: "Grace" }], { id: SELF, hand: 30 });
    expect(etiquette.hands.value).toEqual([SELF]);
    etiquette.welcome([{ id: peerA.id, name: "Grace" }], { id: SELF });
    expect(etiquette.hands.value).toEqual([]);

    etiquette.raise();
    etiquette.lower();
    etiquette.lower(peerA.id);
    etiquette.react("🎉");
    expect(sent).toEqual([
      { type: "raise-hand" },
      { type: "lower-hand" },
      { type: "lower-hand", id: peerA.id },
      { type: "react", emoji: "🎉" },
    ]);
  });

  it("shows each reaction for a while, then forgets it", () => {
    vi.useFakeTimers();
    const etiquette = new Etiquette(() => {});
    etiquette.reaction(peerA.id, "👍");
    etiquette.reaction(peerA.id, "👍");
    expect(etiquette.reactions.value.map((r) => r.emoji)).toEqual(["👍", "👍"]);
    vi.advanceTimersByTime(REACTION_SHOW_MS);
    expect(etiquette.reactions.value).toEqual([]);
    etiquette.reaction(peerB.id, "😮");
    etiquette.dispose();
    expect(etiquette.reactions.value).toEqual([]);
  });
});

describe("hands and reactions in the call view", () => {
  it("shows each raised hand on its tile with its place in the queue", async () => {
    const call = fakeCall({ peers: [peerA, peerB] });
    renderView(call);
    await act(() => {
      call.hands.value = [peerB.id, SELF];
    });
    expect(within(tileOf("Linus")).getByRole("img", { name: "Hand raised, 1st" })).toBeTruthy();
    expect(within(tileOf("Ada")).getByRole("img", { name: "Hand raised, 2nd" })).toBeTruthy();
    expect(within(tileOf("Grace")).queryByRole("img", { name: /Hand raised/ })).toBeNull();
    expect(button("Lower hand")).toBeTruthy();
    expect(screen.getByTestId("etiquette-news").textContent).toContain("Linus raised their hand.");
  });

  it("raises and lowers our hand by button and by R, and reacts by menu and by digits, never while typing", async () => {
    const call = fakeCall();
    renderView(call);
    fireEvent.click(button("Raise hand"));
    fireEvent.keyDown(document.body, { key: "r" });
    await act(() => {
      call.hands.value = [SELF];
    });
    fireEvent.keyDown(document.body, { key: "R" });
    fireEvent.click(button("Reactions"));
    fireEvent.click(button("React with celebration"));
    fireEvent.keyDown(document.body, { key: "1" });
    fireEvent.keyDown(document.body, { key: "6" });
    fireEvent.keyDown(document.body, { key: "7" });
    expect(call.calls).toEqual([
      ["raiseHand"],
      ["raiseHand"],
      ["lowerHand"],
      ["react", "🎉"],
      ["react", "👍"],
      ["react", "😮"],
    ]);

    fireEvent.click(button("Chat"));
    const box = screen.getByLabelText("Message to everyone");
    for (const key of ["r", "1", "p"]) fireEvent.keyDown(box, { key });
    expect(call.calls).toHaveLength(6);
  });

  it("floats reactions over the sender's tile and says who reacted", async () => {
    const call = fakeCall({ peers: [peerA] });
    renderView(call);
    await act(() => {
      call.reactions.value = [{ key: 1, from: peerA.id, emoji: "❤️" }];
    });
    expect(within(tileOf("Grace")).getByTestId("reaction").textContent).toBe("❤️");
    expect(within(tileOf("Ada")).queryByTestId("reaction")).toBeNull();
    expect(screen.getByTestId("etiquette-news").textContent).toBe("Grace reacted with heart.");
  });
});

describe("the people list", () => {
  it("lists hands first in order, then us, then the others, with their state in words", async () => {
    const call = fakeCall({ peers: [peerA, { ...peerB, audio: false, screen: true }] });
    call.hands.value = [peerB.id];
    renderView(call);
    fireEvent.keyDown(document.body, { key: "p" });
    const panel = await screen.findByRole("region", { name: /People/ });
    const rows = within(panel).getAllByTestId("person");
    expect(rows.map((row) => row.querySelector(".person-name")?.textContent)).toEqual(["Linus", "Ada", "Grace"]);
    expect(rows[0]?.textContent).toContain("Hand raised, 1st");
    expect(rows[0]?.textContent).toContain("Muted");
    expect(rows[0]?.textContent).toContain("Sharing screen");
    expect(rows[1]?.textContent).toContain("(you)");
    expect(within(panel).getByRole("heading").textContent).toBe("People (3)");
  });

  it("lowers anyone's hand and removes people from their row", async () => {
    const call = fakeCall({ peers: [peerA, peerB] });
    call.hands.value = [SELF, peerA.id];
    renderView(call);
    fireEvent.click(button("People"));
    const panel = await screen.findByRole("region", { name: /People/ });
    fireEvent.click(within(panel).getByRole("button", { name: "Lower hand (yours)" }));
    fireEvent.click(within(panel).getByRole("button", { name: "Lower hand for Grace" }));
    expect(call.calls).toEqual([["lowerHand"], ["lowerHand", peerA.id]]);
    fireEvent.click(within(panel).getByRole("button", { name: "Remove Linus from call" }));
    expect(await screen.findByRole("dialog")).toBeTruthy();
  });

  it("holds each person's for-me-only controls, as their tile does (for phones, where tiles are small)", async () => {
    const call = fakeCall({ peers: [peerA, peerB] });
    renderView(call);
    fireEvent.click(button("People"));
    const panel = await screen.findByRole("region", { name: /People/ });
    // One menu per other person, none for ourselves.
    expect(within(panel).getAllByRole("button", { name: /^Sound and video of / })).toHaveLength(2);
    fireEvent.click(within(panel).getByRole("button", { name: "Sound and video of Grace" }));
    await act(() => {
      fireEvent.click(within(panel).getByRole("button", { name: "Mute for me" }));
    });
    expect(call.listening.value.get(peerA.id)?.muted).toBe(true);
    expect(call.listening.value.get(peerB.id)).toBeUndefined();
  });

  it("gives way to the chat, and gives focus back to its button on Escape", async () => {
    const call = fakeCall({ peers: [peerA] });
    renderView(call);
    fireEvent.click(button("People"));
    const panel = await screen.findByRole("region", { name: /People/ });
    fireEvent.keyDown(panel, { key: "Escape" });
    expect(screen.queryByRole("region", { name: /People/ })).toBeNull();
    expect(document.activeElement).toBe(button("People"));
    fireEvent.click(button("People"));
    await screen.findByRole("region", { name: /People/ });
    fireEvent.click(button("Chat"));
    expect(screen.queryByRole("region", { name: /People/ })).toBeNull();
    expect(screen.getByRole("region", { name: "Chat" })).toBeTruthy();
  });
});
