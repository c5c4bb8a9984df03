import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HEARTBEAT_TIMEOUT_MS, PING, PONG } from "../../common/heartbeat";
import type { ServerMessage } from "../../common/protocol";
import { roomIdFor } from "../../common/room-id";
import { Call } from "../../frontend/call/call";
import { HEARTBEAT_MS, parseServerMessage, Signaling } from "../../frontend/call/link/signaling";
import { roomSocketUrl } from "../../frontend/call/link/socket-url";
import { FakeSocket } from "./fake-socket";

const ID = "0123456789abcdef0123456789abcdef";

function connect() {
  let socket: FakeSocket | undefined;
  const received: ServerMessage[] = [];
  const closed: { code: number; reason: string }[] = [];
  let opened = 0;
  const signaling = new Signaling(
    "ws://example.test/api/rooms/r/ws",
    { open: () => opened++, message: (m) => received.push(m), closed: (c) => closed.push(c) },
    {
      createSocket: (url) => {
        socket = new FakeSocket(url);
        return socket;
      },
    },
  );
  return { signaling, socket: socket!, received, closed, opened: () => opened };
}

describe("roomSocketUrl", () => {
  it("uses wss on https and ws on http, on the page's host, with the room's id", async () => {
    const id = await roomIdFor("team-sync");
    expect(roomSocketUrl(id, { protocol: "https:", host: "natter.example" })).toBe(
      `wss://natter.example/api/rooms/${id}/ws`,
    );
    expect(roomSocketUrl(id, { protocol: "http:", host: "localhost:5173" })).toBe(
      `ws://localhost:5173/api/rooms/${id}/ws`,
    );
  });

  it("refuses a room name, so that a name handed in by mistake never leaves the page", () => {
    expect(() => roomSocketUrl("team-sync", { protocol: "https:", host: "natter.example" })).toThrow(/room id/);
  });
});

/** A call to room "secret-garden-7f3a" that records the URL of every socket it opens. */
function callOpeningSockets(): { call: Call; urls: string[] } {
  const urls: string[] = [];
  const call = new Call({
    room: "secret-garden-7f3a",
    name: "Cy",
    getUserMedia: null,
    signaling: {
      createSocket: (url) => {
        urls.push(url);
        return new FakeSocket(url);
      },
    },
  });
  return { call, urls };
}

describe("a call's socket", () => {
  it("is opened by the room's id, which the page derives from the name: the name is not in the URL", async () => {
    const { call, urls } = callOpeningSockets();
    call.connect();
    await vi.waitFor(() => expect(urls).toHaveLength(1));
    expect(urls[0]).toBe(`ws://${location.host}/api/rooms/${await roomIdFor("secret-garden-7f3a")}/ws`);
    expect(urls[0]).not.toContain("secret");
    call.leave();
  });

  it("opens nothing when the call ends before the id is ready", async () => {
    const { call, urls } = callOpeningSockets();
    call.connect();
    call.leave();
    await roomIdFor("anything");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(urls).toEqual([]);
  });
});

describe("parseServerMessage", () => {
  beforeEach(() => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("accepts a valid message", () => {
    const welcome = {
      type: "welcome",
      id: ID,
      peers: [],
      lock: null,
      ice: { iceServers: [{ urls: ["stun:stun.example.test"] }], iceTransportPolicy: "all", expiresAt: null },
      resumeToken: "token",
    };
    expect(parseServerMessage(JSON.stringify(welcome))).toEqual(welcome);
  });

  it.each([
    ["not JSON", "{nope"],
    ["an unknown type", JSON.stringify({ type: "party" })],
    ["a malformed peer id", JSON.stringify({ type: "peer-left", id: "ABC" })],
    ["an extra field", JSON.stringify({ type: "peer-left", id: ID, admin: true })],
    ["a signal without data", JSON.stringify({ type: "signal", from: ID })],
    ["an array", "[]"],
  ])("rejects %s", (_, text) => {
    expect(parseServerMessage(text)).toBeNull();
    expect(console.warn).toHaveBeenCalled();
  });
});

describe("Signaling", () => {
  beforeEach(() => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it("queues messages until the socket opens", () => {
    const { signaling, socket, opened } = connect();
    signaling.send({ type: "join", name: "Ada" });
    expect(socket.sent).toEqual([]);

    socket.open();
    expect(opened()).toBe(1);
    expect(socket.sentMessages()).toEqual([{ type: "join", name: "Ada" }]);
  });

  it("takes a socket that opened before it was handed over (the page's early socket) as open, right after construction", async () => {
    const early = new FakeSocket("ws://example.test/api/rooms/r/ws");
    early.open();
    let opened = 0;
    const signaling = new Signaling(
      early.url,
      { open: () => opened++, message: () => {}, closed: () => {} },
      { createSocket: () => early },
    );
    // Like an event: not from inside the constructor, so the caller has its handle first.
    expect(opened).toBe(0);
    signaling.send({ type: "join", name: "Ada" });
    await Promise.resolve();
    expect(opened).toBe(1);
    expect(early.sentMessages()).toEqual([{ type: "join", name: "Ada" }]);
    expect(signaling.isOpen).toBe(true);
    signaling.close();
  });

  it("delivers valid messages and drops invalid ones, PONG and binary frames without failing", () => {
    const { socket, received, closed } = connect();
    socket.open();

    socket.receive("{nope");
    socket.receive({ type: "peer-left", id: "not-an-id" });
    socket.receive({ type: "signal", from: ID, data: { description: { type: "offer", sdp: "x" }, extra: 1 } });
    socket.receive(PONG);
    socket.dispatchEvent(new MessageEvent("message", { data: new ArrayBuffer(4) }));
    socket.receive({ type: "peer-left", id: ID });

    expect(received).toEqual([{ type: "peer-left", id: ID }]);
    expect(closed).toEqual([]);
    expect(socket.closedWith).toBeNull();
  });

  it("sends the heartbeat while open and stops after close()", () => {
    vi.useFakeTimers();
    const { signaling, socket } = connect();
    socket.open();

    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(socket.sent).toEqual([PING]);
    // The room drops a member it has not heard from for this long: at least two beats must fit.
    expect(2 * HEARTBEAT_MS).toBeLessThan(HEARTBEAT_TIMEOUT_MS);

    signaling.close();
    expect(socket.closedWith).toEqual({ code: 1000, reason: "left" });
    vi.advanceTimersByTime(60_000);
    expect(socket.sent).toEqual([PING]);
  });

  it("reports a socket the room closed, but not one we closed ourselves", () => {
    const dropped = connect();
    dropped.socket.open();
    dropped.socket.drop(1008, "too many messages");
    expect(dropped.closed).toEqual([{ code: 1008, reason: "too many messages" }]);

    const ours = connect();
    ours.socket.open();
    ours.signaling.close();
    ours.socket.drop(1000, "left");
    expect(ours.closed).toEqual([]);
  });
});
