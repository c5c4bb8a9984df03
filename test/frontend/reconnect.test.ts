import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CloseCode, PING, PONG, type ServerMessage } from "../../durable-objects/protocol";
import { backoffCeiling } from "../../frontend/call/backoff";
import { ATTEMPT_TIMEOUT_MS, closeVerdict, type LinkEnvironment, RoomLink } from "../../frontend/call/reconnect";
import { CHECK_TIMEOUT_MS, GAVE_UP_CODE, HEARTBEAT_MS, PONG_TIMEOUT_MS } from "../../frontend/call/signaling";
import { FakeSocket } from "./fake-socket";

const SELF = "5".repeat(32);
const ADA = "1".repeat(32);

const welcome = (token = "token-1"): ServerMessage => ({
  type: "welcome",
  id: SELF,
  peers: [],
  lock: null,
  ice: { iceServers: [], iceTransportPolicy: "all", expiresAt: null },
  resumeToken: token,
});

/** The page's window and document, as far as the link listens to them. */
function fakeEnvironment() {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: "visible" as DocumentVisibilityState });
  return {
    environment: { window: win, document: doc } as unknown as LinkEnvironment,
    goOnline: () => win.dispatchEvent(new Event("online")),
    goOffline: () => win.dispatchEvent(new Event("offline")),
    show: () => {
      doc.visibilityState = "visible";
      doc.dispatchEvent(new Event("visibilitychange"));
    },
  };
}

/** A link whose sockets the test plays the room for; `random` = 1 − ε makes every delay its ceiling. */
function link({ random = (): number => 0.999_999 }: { random?: () => number } = {}) {
  const sockets: FakeSocket[] = [];
  const events: string[] = [];
  const received: ServerMessage[] = [];
  const env = fakeEnvironment();
  const roomLink: RoomLink = new RoomLink(
    "ws://example.test/api/rooms/r/ws",
    {
      open: () => {
        events.push("open");
        roomLink.send({ type: "join", name: "Cy", ...(roomLink.resumeAs && { resume: roomLink.resumeAs }) });
      },
      message: (m) => received.push(m),
      reconnecting: ({ code }) => events.push(`reconnecting ${code}`),
      closed: ({ code, verdict }) => events.push(`closed ${code} ${verdict}`),
    },
    {
      random,
      environment: env.environment,
      signaling: { createSocket: (url) => sockets.at(sockets.push(new FakeSocket(url)) - 1)! },
    },
  );
  const latest = () => sockets.at(-1)!;
  return { link: roomLink, sockets, latest, events, received, ...env };
}

const typesSent = (socket: FakeSocket) => socket.sentMessages().map((m) => (m as { type: string }).type);

/** Opens the latest socket and lets the room welcome it. */
function welcomeLatest(l: ReturnType<typeof link>, token = "token-1") {
  l.latest().open();
  l.latest().receive(welcome(token));
}

describe("closeVerdict", () => {
  it("gives up only when the room meant it", () => {
    expect(closeVerdict(CloseCode.removed)).toBe("removed");
    expect(closeVerdict(CloseCode.replaced)).toBe("replaced");
    expect(closeVerdict(CloseCode.policyViolation)).toBe("refused");
    expect(closeVerdict(CloseCode.messageTooBig)).toBe("refused");
    for (const code of [1000, 1001, 1005, 1006, 1011, 1012, 4000, CloseCode.timedOut]) {
      expect(closeVerdict(code), String(code)).toBe("reconnect");
    }
  });
});

describe("RoomLink", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("does not reconnect before it was ever let in: there is no identity to resume", () => {
    const l = link();
    l.latest().open();
    l.latest().drop(1006);
    vi.advanceTimersByTime(60_000);
    expect(l.sockets).toHaveLength(1);
    expect(l.events).toEqual(["open", "closed 1006 refused"]);
  });

  it("reconnects after a drop and resumes with the token of the last welcome", () => {
    const l = link();
    welcomeLatest(l);
    l.latest().drop(1006);
    expect(l.events.at(-1)).toBe("reconnecting 1006");
    expect(l.link.reconnecting).toBe(true);

    vi.advanceTimersByTime(backoffCeiling(0));
    expect(l.sockets).toHaveLength(2);
    l.latest().open();
    expect(l.latest().sentMessages()).toEqual([{ type: "join", name: "Cy", resume: { id: SELF, token: "token-1" } }]);
    l.latest().receive(welcome("token-2"));
    expect(l.link.reconnecting).toBe(false);
    expect(l.link.resumeAs).toEqual({ id: SELF, token: "token-2" });
    expect(l.received.filter((m) => m.type === "welcome")).toHaveLength(2);
  });

  it("backs off exponentially while the room stays out of reach, and starts over once back", () => {
    const l = link();
    welcomeLatest(l);
    l.latest().drop(1006);
    for (let attempt = 0; attempt < 6; attempt++) {
      const before = l.sockets.length;
      vi.advanceTimersByTime(backoffCeiling(attempt) - 2);
      expect(l.sockets, `attempt ${attempt} waits its whole ceiling`).toHaveLength(before);
      vi.advanceTimersByTime(2);
      expect(l.sockets).toHaveLength(before + 1);
      // The socket never opens: the browser reports 1006.
      l.latest().drop(1006);
    }
    // Only the first drop is news; the failed attempts are part of reconnecting.
    expect(l.events.filter((e) => e.startsWith("reconnecting"))).toHaveLength(1);

    vi.advanceTimersByTime(backoffCeiling(6));
    welcomeLatest(l);
    l.latest().drop(1006);
    const before = l.sockets.length;
    vi.advanceTimersByTime(backoffCeiling(0));
    expect(l.sockets).toHaveLength(before + 1);
  });

  it("uses full jitter: a random fraction of the ceiling", () => {
    const l = link({ random: () => 0 });
    welcomeLatest(l);
    l.latest().drop(1006);
    vi.advanceTimersByTime(0);
    expect(l.sockets).toHaveLength(2);
  });

  it("holds signals and state while away, and delivers them after the welcome, after the join", () => {
    const l = link();
    welcomeLatest(l);
    l.latest().drop(1006);
    const candidate = { type: "signal", to: ADA, data: { candidate: null } } as const;
    l.link.send(candidate);
    l.link.send({ type: "state", audio: false });
    // A click made while offline is not replayed minutes later.
    l.link.send({ type: "kick", id: ADA });
    vi.advanceTimersByTime(backoffCeiling(0));
    l.latest().open();
    expect(typesSent(l.latest())).toEqual(["join"]);

    l.latest().receive(welcome());
    expect(l.latest().sentMessages().slice(1)).toEqual([candidate, { type: "state", audio: false }]);
  });

  it("stops for good when removed, replaced by another tab, or refused", () => {
    for (const [code, verdict] of [
      [CloseCode.removed, "removed"],
      [CloseCode.replaced, "replaced"],
      [CloseCode.policyViolation, "refused"],
      [CloseCode.messageTooBig, "refused"],
    ] as const) {
      const l = link();
      welcomeLatest(l);
      l.latest().drop(code);
      vi.advanceTimersByTime(60_000);
      expect(l.sockets, String(code)).toHaveLength(1);
      expect(l.events.at(-1)).toBe(`closed ${code} ${verdict}`);
    }
  });

  it("reconnects after the room timed it out (4008)", () => {
    const l = link();
    welcomeLatest(l);
    l.latest().drop(CloseCode.timedOut);
    expect(l.events.at(-1)).toBe(`reconnecting ${CloseCode.timedOut}`);
    vi.advanceTimersByTime(backoffCeiling(0));
    expect(l.sockets).toHaveLength(2);
  });

  it("never reconnects after a deliberate leave, even from the middle of a back-off", () => {
    const l = link();
    welcomeLatest(l);
    l.link.close();
    expect(l.sockets[0]?.closedWith).toEqual({ code: 1000, reason: "left" });
    l.sockets[0]?.drop(1000);

    const waiting = link();
    welcomeLatest(waiting);
    waiting.latest().drop(1006);
    waiting.link.close();
    vi.advanceTimersByTime(60_000);
    expect(waiting.sockets).toHaveLength(1);
    expect([...l.events, ...waiting.events].filter((e) => e.startsWith("closed"))).toEqual([]);
  });

  it("tries again at once when the network comes back", () => {
    const l = link();
    welcomeLatest(l);
    l.latest().drop(1006);
    vi.advanceTimersByTime(backoffCeiling(0));
    l.latest().drop(1006);
    expect(l.sockets).toHaveLength(2);
    l.goOnline();
    expect(l.sockets).toHaveLength(3);
  });

  it("checks the socket when the tab is shown again, and gives up on one that does not answer", () => {
    const l = link();
    welcomeLatest(l);
    const first = l.latest();
    l.show();
    expect(first.sent.at(-1)).toBe(PING);
    vi.advanceTimersByTime(CHECK_TIMEOUT_MS);
    expect(first.closedWith?.code).toBe(GAVE_UP_CODE);
    expect(l.events.at(-1)).toBe(`reconnecting ${GAVE_UP_CODE}`);
  });

  it("checks the socket when the network goes away, rather than wait for the heartbeat", () => {
    const l = link();
    welcomeLatest(l);
    l.goOffline();
    expect(l.latest().sent.at(-1)).toBe(PING);
    vi.advanceTimersByTime(CHECK_TIMEOUT_MS);
    expect(l.link.reconnecting).toBe(true);
  });

  it("keeps a socket that answers the check", () => {
    const l = link();
    welcomeLatest(l);
    l.show();
    l.latest().receive(PONG);
    vi.advanceTimersByTime(CHECK_TIMEOUT_MS);
    expect(l.latest().closedWith).toBeNull();
    expect(l.link.reconnecting).toBe(false);
  });

  it("notices a socket that went silent without closing, from unanswered heartbeats", () => {
    const l = link();
    welcomeLatest(l);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    l.latest().receive(PONG);
    vi.advanceTimersByTime(HEARTBEAT_MS + PONG_TIMEOUT_MS);
    expect(l.sockets[0]?.closedWith?.code).toBe(GAVE_UP_CODE);
    expect(l.link.reconnecting).toBe(true);
  });

  it("does not mistake a frozen tab for a dead socket: it asks afresh after the freeze", () => {
    const l = link();
    welcomeLatest(l);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    // Frozen for a minute: no timers ran, the room's PONG waits in the queue.
    vi.setSystemTime(Date.now() + 60_000);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(l.latest().closedWith).toBeNull();
    l.latest().receive(PONG);
    vi.advanceTimersByTime(PONG_TIMEOUT_MS);
    expect(l.latest().closedWith).toBeNull();
    expect(l.link.reconnecting).toBe(false);
  });

  it("gives up on an attempt that hangs, and tries the next", () => {
    const l = link();
    welcomeLatest(l);
    l.latest().drop(1006);
    vi.advanceTimersByTime(backoffCeiling(0));
    expect(l.sockets).toHaveLength(2);
    // Never opens, never closes.
    vi.advanceTimersByTime(ATTEMPT_TIMEOUT_MS);
    expect(l.sockets[1]?.closedWith?.code).toBe(GAVE_UP_CODE);
    vi.advanceTimersByTime(backoffCeiling(1));
    expect(l.sockets).toHaveLength(3);
  });

  it("becomes a stranger at the door when the room does not take it back", () => {
    const l = link();
    welcomeLatest(l);
    l.latest().drop(1006);
    l.link.send({ type: "signal", to: ADA, data: { candidate: null } });
    vi.advanceTimersByTime(backoffCeiling(0));
    l.latest().open();
    l.latest().receive({ type: "denied", reason: "locked" });
    expect(l.link.reconnecting).toBe(false);
    expect(l.link.resumeAs).toBeNull();
    // A key or a knock goes straight out; the old call's signals were dropped.
    l.link.send({ type: "knock", name: "Cy" });
    expect(typesSent(l.latest())).toEqual(["join", "knock"]);
  });

  it("lies dormant when the room closes it at the door (4009), and reopens for the next join or knock", () => {
    const l = link();
    l.latest().open();
    l.latest().receive({ type: "denied", reason: "locked" });
    l.latest().drop(CloseCode.idle, "Not joined in time");
    expect(l.events).toEqual(["open"]);
    expect(l.sockets).toHaveLength(1);
    // Nothing is retried on its own: the person has not acted yet.
    vi.advanceTimersByTime(60_000);
    expect(l.sockets).toHaveLength(1);

    // Their next act opens a new socket and goes out on it, once, with no second handshake.
    l.link.send({ type: "join", name: "Cy", key: "a good key" });
    expect(l.sockets).toHaveLength(2);
    l.latest().open();
    expect(l.latest().sentMessages()).toEqual([{ type: "join", name: "Cy", key: "a good key" }]);
    expect(l.events).toEqual(["open"]);
    l.latest().receive(welcome());
    expect(l.received.at(-1)).toMatchObject({ type: "welcome" });
  });

  it("reconnects as usual when closed with 4009 after it was let in (its resume was displaced)", () => {
    const l = link();
    welcomeLatest(l);
    l.latest().drop(CloseCode.idle);
    expect(l.events).toEqual(["open", `reconnecting ${CloseCode.idle}`]);
    vi.advanceTimersByTime(backoffCeiling(0));
    expect(l.sockets).toHaveLength(2);
  });
});
