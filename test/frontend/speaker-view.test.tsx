/**
 * The speaker view in the call view: switched by its button and by L, the speaker (or, before
 * anyone speaks, the first of the others) on the stage, the choice remembered on this device.
 */
import { fireEvent, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import { fakeCall, peerA, peerB } from "./fake-call";
import { renderRoomView as renderView, tileOf } from "./render-views";

describe("the speaker view", () => {
  afterEach(() => {
    localStorage.clear();
  });

  it("switches by button and by L, puts someone on the stage, and is remembered", async () => {
    const call = fakeCall({ peers: [peerA, peerB] });
    const view = renderView(call);
    const toggle = () => screen.getByRole("button", { name: "Speaker view" });
    expect(toggle().getAttribute("aria-pressed")).toBe("false");
    expect(document.querySelector(".tile--spotlight")).toBeNull();
    fireEvent.click(toggle());
    expect(toggle().getAttribute("aria-pressed")).toBe("true");
    // Nobody has spoken yet: the first of the others.
    expect(document.querySelector(".tile--spotlight")).toBe(tileOf("Grace"));
    expect(localStorage.getItem("natter:layout")).toBe("speaker");

    view.unmount();
    renderView(fakeCall({ peers: [peerA] }));
    expect(toggle().getAttribute("aria-pressed")).toBe("true");
    fireEvent.keyDown(document.body, { key: "l" });
    expect(toggle().getAttribute("aria-pressed")).toBe("false");
    expect(document.querySelector(".tile--spotlight")).toBeNull();
    expect(localStorage.getItem("natter:layout")).toBe("grid");
  });
});
