import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CloseCode, closeVerdict } from "../../common/close-codes";
import { PING, PONG } from "../../common/heartbeat";
import type { ServerMessage } from "../../common/protocol";
import { backoffCeiling } from "../../frontend/call/link/backoff";
import {
  type LinkEnvironment,
  PROBE_AFTER_MS,
  PROBE_EVERY_MS,
  probeUrlFor,
} from "../../frontend/call/link/link-environment";
import { ATTEMPT_TIMEOUT_MS, RoomLink } from "../../frontend/call/link/room-link";
import { CHECK_TIMEOUT_MS, HEARTBEAT_MS, PONG_TIMEOUT_MS } from "../../frontend/call/link/signaling";
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

/**
 * The page's window and document, as far as the link listens to them; with `probing`, also a
 * network that answers a probe or not (`network.up`), recording what was asked.
 */
function fakeEnvironment({ probing = false }: { probing?: boolean } = {}) {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: "visible" as DocumentVisibilityState });
  const network = { up: false, probes: [] as string[] };
  const reachable = async (url: string, timeoutMs: number) => {
    network.probes.push(url);
    if (!network.up) await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    return network.up;
  };
  return {
    network,
    environment: { window: win, document: doc, ...(probing && { reachable }) } as unknown as LinkEnvironment,
    goOnline: () => win.dispatchEvent(new Event("online")),
    goOffline: () => win.dispatchEvent(new Event("offline")),
    show: () => {
      doc.visibilityState = "visible";
      doc.dispatchEvent(new Event("visibilitychange"));
    },
  };
}

/** A link whose sockets the test plays the room for; `random` = 1 − ε makes every delay its ceiling. */
function link({
  random = (): number => 0.999_999,
  probing = false,
}: {
  random?: () => number;
  probing?: boolean;
} = {}) {
  const sockets: FakeSocket[] = [];
  const events: string[] = [];
  const received: ServerMessage[] = [];
  const env = fakeEnvironment({ probing });
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
    expect(first.closedWith?.code).toBe(CloseCode.gaveUp);
    expect(l.events.at(-1)).toBe(`reconnecting ${CloseCode.gaveUp}`);
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
    expect(l.sockets[0]?.closedWith?.code).toBe(CloseCode.gaveUp);
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
    expect(l.sockets[1]?.closedWith?.code).toBe(CloseCode.gaveUp);
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

  it("sends a join again on a new socket when the room closed the old one at the door as the join went out", () => {
    // The room's idle alarm and our join crossed: the room closed the socket (4009) before it read
    // the join, so no answer will ever come. Waiting for the person to act again would leave the
    // page on "Joining…" for ever: the join goes out again at once, on a new socket.
    const l = link();
    l.latest().open();
    l.link.send({ type: "join", name: "Cy" });
    l.latest().drop(CloseCode.idle, "Not joined in time");
    expect(l.sockets).toHaveLength(2);
    l.latest().open();
    expect(l.latest().sentMessages()).toEqual([{ type: "join", name: "Cy" }]);
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

describe("RoomLink probing the network after a silence", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** Welcomed, then the room goes silent: the next PING stays unanswered. */
  async function silentRoom() {
    const l = link({ probing: true });
    welcomeLatest(l);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(l.latest().sent.at(-1)).toBe(PING);
    return l;
  }

  it("asks the room's server, never the room, over plain http(s)", () => {
    expect(probeUrlFor("wss://natter.example/api/rooms/abc/ws")).toBe("https://natter.example/api/health");
    expect(probeUrlFor("ws://10.77.0.1:8787/api/rooms/abc/ws?x=1")).toBe("http://10.77.0.1:8787/api/health");
  });

  it("never probes while the room answers", async () => {
    const l = link({ probing: true });
    welcomeLatest(l);
    for (let i = 0; i < 8; i++) {
      await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
      l.latest().receive(PONG);
    }
    expect(l.network.probes).toEqual([]);
  });

  it("keeps a silent socket while the network is down, and starts over on a fresh one the moment it answers", async () => {
    const l = await silentRoom();
    await vi.advanceTimersByTimeAsync(PROBE_AFTER_MS + 4 * PROBE_EVERY_MS);
    expect(l.network.probes.length).toBeGreaterThan(0);
    expect(l.network.probes[0]).toBe("http://example.test/api/health");
    expect(l.sockets).toHaveLength(1);
    expect(l.latest().closedWith).toBeNull();

    l.network.up = true;
    await vi.advanceTimersByTimeAsync(PROBE_EVERY_MS);
    // Given up as silent (the room keeps our place), and the next socket opened at once, with
    // no back-off: the heartbeat alone would have waited for PONG_TIMEOUT_MS.
    expect(l.sockets[0]?.closedWith?.code).toBe(CloseCode.gaveUp);
    expect(l.sockets).toHaveLength(2);
    expect(l.events).toEqual(["open", `reconnecting ${CloseCode.gaveUp}`]);
    welcomeLatest(l, "token-2");
    expect(typesSent(l.latest())).toEqual(["join"]);
    expect(l.latest().sentMessages()[0]).toMatchObject({ resume: { id: SELF, token: "token-1" } });
  });

  it("after giving up on a silent socket, cuts a hanging attempt short once the network answers, once", async () => {
    const l = await silentRoom();
    // The network stays down past the heartbeat's own verdict: the link is reconnecting.
    await vi.advanceTimersByTimeAsync(PONG_TIMEOUT_MS + HEARTBEAT_MS);
    expect(l.link.reconnecting).toBe(true);
    await vi.advanceTimersByTimeAsync(backoffCeiling(0));
    const hanging = l.latest();
    expect(hanging.readyState).toBe(0);

    l.network.up = true;
    await vi.advanceTimersByTimeAsync(PROBE_EVERY_MS);
    expect(hanging.closedWith?.code).toBe(CloseCode.gaveUp);
    const fresh = l.latest();
    expect(fresh).not.toBe(hanging);
    const count = l.sockets.length;

    // The network answers but this attempt hangs too (the room is slow, not out of reach): from
    // here the ordinary attempt timeout and back-off apply, not another shortcut.
    const probes = l.network.probes.length;
    await vi.advanceTimersByTimeAsync(ATTEMPT_TIMEOUT_MS);
    expect(fresh.closedWith?.code).toBe(CloseCode.gaveUp);
    expect(l.network.probes).toHaveLength(probes);
    expect(l.sockets).toHaveLength(count);
    await vi.advanceTimersByTimeAsync(backoffCeiling(2));
    expect(l.sockets).toHaveLength(count + 1);
  });

  it("leaves a drop the room caused to the back-off: after a deploy everyone must not come back at once", async () => {
    const l = link({ probing: true });
    welcomeLatest(l);
    l.network.up = true;
    l.latest().drop(1012);
    await vi.advanceTimersByTimeAsync(backoffCeiling(0) - 2);
    expect(l.network.probes).toEqual([]);
    expect(l.sockets).toHaveLength(1);
  });
});
