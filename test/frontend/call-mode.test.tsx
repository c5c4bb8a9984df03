/**
 * Mesh or SFU, as the page sees it: the engine keeps the room's word on the call mode (from the
 * welcome and from `call-mode`), and the room header says plainly when a call goes through the
 * SFU: when the engine's media does (`mediaRoute`), never on the room's word alone. Moving the
 * media is sfu-route.ts's, proven in real Chromium by test/e2e/sfu-call.test.ts; this DOM has no
 * frame transforms, so here, as in a browser that cannot encrypt frames, the call stays peer to peer.
 */
import { act, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { parseServerMessage } from "../../frontend/call/link/signaling";
import { en } from "../../frontend/i18n/en";
import { fakeCall } from "./fake-call";
import { ADA, roomCall, welcome } from "./fake-room";
import { useFakeRTC } from "./fake-rtc";
import { renderRoomView } from "./render-views";

describe("the call mode in the engine", () => {
  useFakeRTC();

  async function joined(mode?: "mesh" | "sfu") {
    const { call, socket, receive } = roomCall({ getUserMedia: null });
    call.start();
    socket().open();
    await receive(welcome([{ id: ADA, name: "Ada" }], mode && { mode }));
    return { call, receive };
  }

  it("is mesh from a room that never says (one without SFU mode)", async () => {
    const { call } = await joined();
    expect(call.status.value).toBe("joined");
    expect(call.callMode.value).toBe("mesh");
  });

  it("is what the welcome says, then what each call-mode says", async () => {
    const { call, receive } = await joined("sfu");
    expect(call.callMode.value).toBe("sfu");
    await receive({ type: "call-mode", mode: "mesh" });
    expect(call.callMode.value).toBe("mesh");
    await receive({ type: "call-mode", mode: "sfu" });
    expect(call.callMode.value).toBe("sfu");
    // No frame transform here, so no SFU: the call goes on with its peer connection as before, and
    // the page does not claim a route through the SFU on the room's word alone.
    expect(call.peers.value.map((p) => p.id)).toEqual([ADA]);
    expect(call.mediaRoute.value).toBe("mesh");
  });

  it("is what a welcome after a reconnect says", async () => {
    const { call, receive } = await joined("sfu");
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    expect(call.callMode.value).toBe("mesh");
  });

  it("takes only the two modes the protocol names", () => {
    expect(parseServerMessage(JSON.stringify({ type: "call-mode", mode: "sfu" }))).toEqual({
      type: "call-mode",
      mode: "sfu",
    });
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(parseServerMessage(JSON.stringify({ type: "call-mode", mode: "p2p" }))).toBeNull();
      expect(parseServerMessage(JSON.stringify({ type: "call-mode" }))).toBeNull();
    } finally {
      console.warn = warn;
    }
  });
});

describe("the big-call notice", () => {
  it("shows in the header only while the engine's media goes through the SFU", async () => {
    const call = fakeCall({ callMode: "sfu", mediaRoute: "mesh" });
    renderRoomView(call);
    // The room's word alone: not shown.
    expect(screen.queryByText(en.bigCall)).toBeNull();

    await act(() => {
      call.mediaRoute.value = "sfu";
    });
    const notice = screen.getByText(en.bigCall);
    expect(notice.closest("header")).not.toBeNull();

    await act(() => {
      call.mediaRoute.value = "mesh";
    });
    expect(screen.queryByText(en.bigCall)).toBeNull();
  });

  it("is not shown at the door of a locked room", () => {
    renderRoomView(fakeCall({ callMode: "sfu", mediaRoute: "sfu", status: "outside", access: { state: "locked" } }));
    expect(screen.queryByText(en.bigCall)).toBeNull();
  });
});
