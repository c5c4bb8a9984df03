/**
 * The room's rules on messages, as a pure function: facts and an event in, effects out
 * (durable-objects/room-rules/). No sockets, no storage, no workerd.
 */
import { describe, expect, it } from "vitest";
import { namesLookAlike } from "../../durable-objects/room-rules/knock";
import { KNOCK_BUDGET, KNOCK_LAPSE_MS, MAX_PENDING_KNOCKS } from "../../durable-objects/room-rules/limits";
import {
  ada,
  bo,
  broadcast,
  cy,
  decideNow,
  FRESH_ID,
  frame,
  gist,
  heardBy,
  ICE,
  LOCK,
  ofKind,
  peer,
  questionOf,
  roomFacts,
  said,
} from "./support/room-facts";

const offer = { description: { type: "offer" as const, sdp: "v=0" } };
const newcomer = { id: FRESH_ID, name: "Cy" };
const credentials = (id: string) => ({ ice: ICE, resumeToken: { id, token: `token-of-${id}` } });
const welcomeOf = (id: string, peers: unknown[], lock: unknown = null) => ({
  type: "welcome",
  id,
  peers,
  lock,
  ice: ICE,
  resumeToken: `token-of-${id}`,
});
const knockBy = (name: string, at = 1_000_000, id = "d".repeat(32)) => ({ id, name, at });

describe("joining", () => {
  it("admits a joiner to an open room, announcing them before welcoming them", () => {
    // Sockets 0 and 1 are Ada and Bo; socket 2 is at the door.
    const facts = roomFacts({ connected: [ada, bo], doors: [{ client: "x", since: 0 }] });
    expect(questionOf(facts, frame(2, { type: "join", name: "Cy" }))).toEqual({ kind: "credentials", id: FRESH_ID });
    const effects = decideNow({ ...facts, answers: credentials(FRESH_ID) }, frame(2, { type: "join", name: "Cy" }));
    expect(said(effects)).toEqual([
      { to: `members but ${FRESH_ID}`, message: { type: "peer-joined", peer: newcomer } },
      { to: 2, message: welcomeOf(FRESH_ID, [ada, bo]) },
    ]);
    expect(ofKind(effects, "attach").at(-1)).toMatchObject({ socket: 2, attachment: { member: newcomer, seq: 3 } });
    expect(ofKind(effects, "store")).toContainEqual({
      kind: "store",
      key: `member:${FRESH_ID}`,
      value: { member: newcomer, seq: 3, until: null },
    });
  });

  it("tells an outsider without a key only that the room is locked", () => {
    const facts = roomFacts({ connected: [ada], doors: [{ client: "x", since: 0 }], records: { lock: LOCK } });
    expect(said(decideNow(facts, frame(1, { type: "join", name: "X" })))).toEqual([
      { to: 1, message: { type: "denied", reason: "locked" } },
    ]);
  });

  it("has the key checked before letting anyone into a locked room, and tells the members of a wrong one", () => {
    const facts = roomFacts({ connected: [ada], doors: [{ client: "x", since: 0 }], records: { lock: LOCK } });
    const join = frame(1, { type: "join", name: "X", key: "abcd" });
    expect(questionOf(facts, join)).toEqual({ kind: "key-guess", key: "abcd", lock: LOCK });
    const wrong = decideNow({ ...facts, answers: { keyMatches: false } }, join);
    expect(heardBy(wrong, 1)).toEqual([{ type: "denied", reason: "wrong-key", triesLeft: 4 }]);
    expect(broadcast(wrong)).toEqual([{ type: "key-guessed", failures: 1 }]);
    expect(questionOf({ ...facts, answers: { keyMatches: true } }, join)).toEqual({
      kind: "credentials",
      id: FRESH_ID,
    });
    const right = decideNow({ ...facts, answers: { keyMatches: true, ...credentials(FRESH_ID) } }, join);
    expect(gist(heardBy(right, 1))).toEqual(["welcome"]);
  });

  it("refuses a second join", () => {
    expect(
      gist(heardBy(decideNow(roomFacts({ connected: [ada] }), frame(0, { type: "join", name: "Ada" })), 0)),
    ).toEqual(["already-joined"]);
  });
});

describe("capacity", () => {
  const eight = Array.from({ length: 8 }, (_, i) => ({ id: String(i).padStart(32, "0"), name: `P${i}` }));

  it("refuses the ninth joiner and an admission into a full room, but takes a knock without saying 'full'", () => {
    const full = roomFacts({ connected: eight, doors: [{ client: "x", since: 0 }] });
    expect(said(decideNow(full, frame(8, { type: "join", name: "Nine" })))).toEqual([
      { to: 8, message: { type: "denied", reason: "full" } },
    ]);
    const locked = roomFacts({ connected: eight, doors: [{ client: "x", since: 0 }], records: { lock: LOCK } });
    expect(gist(heardBy(decideNow(locked, frame(8, { type: "knock", name: "Nine" })), 8))).toEqual(["knock-sent"]);
    const knock = knockBy("Nine");
    const knocking = roomFacts({ connected: eight, knocking: [knock], records: { lock: LOCK } });
    expect(said(decideNow(knocking, frame(0, { type: "admit", id: knock.id })))).toEqual([
      { to: 8, message: { type: "denied", reason: "full" } },
      { to: "members but null", message: { type: "knock-ended", id: knock.id, outcome: "full" } },
    ]);
  });

  it("lets a live peer resume into a full room, but not one the room has forgotten", () => {
    const me = eight[3]!;
    const others = eight.filter((m) => m !== me);
    // The socket at the door comes after the connected members'.
    const resume = (id: string, socket: number) =>
      frame(socket, { type: "join", name: "Me", resume: { id, token: "t" } });
    const awayInFull = roomFacts({
      connected: others,
      away: [{ member: me, until: 1_000_000 + 5_000 }],
      doors: [{ client: "x", since: 0 }],
      answers: { resumeTokenValid: true, ...credentials(me.id) },
    });
    expect(gist(heardBy(decideNow(awayInFull, resume(me.id, 7)), 7))).toEqual(["welcome"]);
    const ninth = peer("e", "Nine");
    const full = roomFacts({
      connected: eight,
      doors: [{ client: "x", since: 0 }],
      answers: { resumeTokenValid: true },
    });
    expect(gist(heardBy(decideNow(full, resume(ninth.id, 8)), 8))).toEqual(["denied:full"]);
  });
});

describe("resume claims", () => {
  // Ada is socket 0; Bo, away, has no socket; socket 1 is at the door.
  const join = frame(1, { type: "join", name: "Bo", resume: { id: bo.id, token: "t" } });
  const lockedWithBoAway = {
    connected: [ada],
    away: [{ member: bo, until: 1_000_000 + 5_000 }],
    doors: [{ client: "x", since: 0 }],
    records: { lock: LOCK },
  };

  it("asks whether the token is the room's, then honours only a valid token of a live identity, keeping its id", () => {
    expect(questionOf(roomFacts(lockedWithBoAway), join)).toEqual({ kind: "resume-token", id: bo.id, token: "t" });
    const effects = decideNow(
      roomFacts({ ...lockedWithBoAway, answers: { resumeTokenValid: true, ...credentials(bo.id) } }),
      join,
    );
    expect(heardBy(effects, 1)).toEqual([welcomeOf(bo.id, [ada], { by: "Ada", byId: ada.id })]);
    expect(broadcast(effects)).toEqual([{ type: "peer-joined", peer: { id: bo.id, name: "Bo" } }]);
  });

  it("treats any other claim as an ordinary join, lock and all", () => {
    const expired = { ...lockedWithBoAway, away: [{ member: bo, until: 1_000_000 }] };
    for (const [spec, tokenValid] of [
      [lockedWithBoAway, false],
      [expired, true],
      [expired, false],
    ] as const) {
      const locked = decideNow(roomFacts({ ...spec, answers: { resumeTokenValid: tokenValid } }), join);
      expect(said(locked)).toEqual([{ to: 1, message: { type: "denied", reason: "locked" } }]);
      const open = roomFacts({
        ...spec,
        records: {},
        answers: { resumeTokenValid: tokenValid, ...credentials(FRESH_ID) },
      });
      expect(ofKind(decideNow(open, join), "attach").at(-1)?.attachment.member).toEqual({ id: FRESH_ID, name: "Bo" });
    }
  });
});

describe("signals", () => {
  it("relays to exactly one member with the sender's id, without reading the room's records", () => {
    const facts = roomFacts({ connected: [ada, bo, cy], noRecords: true });
    const effects = decideNow(facts, frame(0, { type: "signal", to: bo.id, data: offer }));
    expect(said(effects)).toEqual([{ to: 1, message: { type: "signal", from: ada.id, data: offer } }]);
  });

  it("refuses signals from outsiders, to strangers and to oneself", () => {
    const facts = roomFacts({ connected: [ada, bo], doors: [{ client: "x", since: 0 }] });
    expect(
      [
        decideNow(facts, frame(2, { type: "signal", to: bo.id, data: offer })),
        decideNow(facts, frame(0, { type: "signal", to: "e".repeat(32), data: offer })),
        decideNow(facts, frame(0, { type: "signal", to: ada.id, data: offer })),
      ].map((effects) => gist(said(effects).map((s) => s.message))),
    ).toEqual([["not-joined"], ["unknown-peer"], ["unknown-peer"]]);
  });
});

describe("locks", () => {
  it("lets members lock and unlock, and nobody else", () => {
    const facts = roomFacts({ connected: [ada, bo], doors: [{ client: "x", since: 0 }] });
    const lock = frame(0, { type: "lock", key: "secret" });
    expect(questionOf(facts, lock)).toEqual({ kind: "new-lock", key: "secret" });
    const hashed = { salt: "s", hash: "h", iterations: 1 };
    const locked = decideNow({ ...facts, answers: { newLock: hashed } }, lock);
    expect(ofKind(locked, "store")).toEqual([
      { kind: "store", key: "lock", value: { ...hashed, by: "Ada", byId: ada.id } },
    ]);
    expect(broadcast(locked)).toEqual([{ type: "locked", by: "Ada", byId: ada.id }]);
    const isLocked = roomFacts({ connected: [ada, bo], doors: [{ client: "x", since: 0 }], records: { lock: LOCK } });
    expect(broadcast(decideNow(isLocked, frame(1, { type: "unlock" })))).toEqual([
      { type: "unlocked", by: "Bo", byId: bo.id },
    ]);
    expect(gist(heardBy(decideNow(facts, frame(2, { type: "lock", key: "secret" })), 2))).toEqual(["not-joined"]);
    expect(gist(heardBy(decideNow(isLocked, frame(2, { type: "unlock" })), 2))).toEqual(["not-joined"]);
    expect(gist(heardBy(decideNow(facts, frame(0, { type: "unlock" })), 0))).toEqual(["not-locked"]);
  });
});

describe("knocking", () => {
  const locked = { connected: [ada], records: { lock: LOCK } };

  it("records a knock and tells the members", () => {
    const effects = decideNow(
      roomFacts({ ...locked, doors: [{ client: "x", since: 0 }] }),
      frame(1, { type: "knock", name: "Cy" }),
    );
    const knock = { id: FRESH_ID, name: "Cy", at: 1_000_000, client: "x" };
    expect(ofKind(effects, "attach").at(-1)?.attachment.knock).toEqual(knock);
    expect(ofKind(effects, "store")).toEqual([
      { kind: "store", key: "knockBudget", value: { tokens: KNOCK_BUDGET.burst - 1, overflow: 0, at: 1_000_000 } },
    ]);
    expect(said(effects)).toEqual([
      { to: 1, message: { type: "knock-sent" } },
      { to: "members but null", message: { type: "knocking", id: FRESH_ID, name: "Cy" } },
    ]);
  });

  it("refuses knocks on open rooms and beyond the cap", () => {
    const open = roomFacts({ connected: [ada], doors: [{ client: "x", since: 0 }] });
    expect(gist(heardBy(decideNow(open, frame(1, { type: "knock", name: "Cy" })), 1))).toEqual(["not-locked"]);
    const knocking = Array.from({ length: MAX_PENDING_KNOCKS }, (_, i) =>
      knockBy(`K${i}`, 0, String(i).padStart(32, "0")),
    );
    const full = roomFacts({ ...locked, knocking, doors: [{ client: "x", since: 0 }] });
    expect(gist(heardBy(decideNow(full, frame(1 + MAX_PENDING_KNOCKS, { type: "knock", name: "Cy" })), 6))).toEqual([
      "denied:too-many-knocks",
    ]);
  });

  it("admits a knocker under their knock id, with everyone told", () => {
    const knock = knockBy("Cy");
    const facts = roomFacts({ connected: [bo, ada], knocking: [knock], records: { lock: LOCK } });
    const admitted = { id: knock.id, name: "Cy" };
    expect(questionOf(facts, frame(1, { type: "admit", id: knock.id }))).toEqual({
      kind: "credentials",
      id: knock.id,
    });
    const effects = decideNow({ ...facts, answers: credentials(knock.id) }, frame(1, { type: "admit", id: knock.id }));
    expect(said(effects)).toEqual([
      { to: "members but null", message: { type: "peer-joined", peer: admitted } },
      { to: "members but null", message: { type: "knock-ended", id: knock.id, outcome: "admitted" } },
      { to: 2, message: welcomeOf(knock.id, [bo, ada], { by: "Ada", byId: ada.id }) },
    ]);
    expect(ofKind(effects, "attach").at(-1)).toMatchObject({
      socket: 2,
      attachment: { member: admitted, knock: null },
    });
  });

  it("declines and lapses knocks", () => {
    const knock = knockBy("Cy");
    const facts = roomFacts({ ...locked, knocking: [knock] });
    expect(said(decideNow(facts, frame(0, { type: "deny", id: knock.id })))).toEqual([
      { to: 1, message: { type: "denied", reason: "knock-declined" } },
      { to: "members but null", message: { type: "knock-ended", id: knock.id, outcome: "declined" } },
    ]);
    expect(gist(heardBy(decideNow(roomFacts(locked), frame(0, { type: "deny", id: knock.id })), 0))).toEqual([
      "unknown-knock",
    ]);
    const alarm = { kind: "alarm" } as const;
    expect(
      said(decideNow(roomFacts({ ...locked, knocking: [knock], now: knock.at + KNOCK_LAPSE_MS - 1 }), alarm)),
    ).toEqual([]);
    expect(said(decideNow(roomFacts({ ...locked, knocking: [knock], now: knock.at + KNOCK_LAPSE_MS }), alarm))).toEqual(
      [
        { to: 1, message: { type: "denied", reason: "knock-lapsed" } },
        { to: "members but null", message: { type: "knock-ended", id: knock.id, outcome: "lapsed" } },
      ],
    );
  });
});

describe("limits (issue #11)", () => {
  const locked = { connected: [ada], records: { lock: LOCK } };
  const tooMany = { type: "denied", reason: "too-many-knocks", retryAfterMs: expect.any(Number) };

  it("refuses a knock during a hold, a renewal too soon, a third from one client, and an empty room bucket alike", () => {
    const held = roomFacts({
      ...locked,
      doors: [{ client: "x", since: 0 }],
      records: { lock: LOCK, knockHolds: { x: 1_000_010 } },
    });
    expect(heardBy(decideNow(held, frame(1, { type: "knock", name: "Cy" })), 1)).toEqual([tooMany]);
    const renewing = roomFacts({ ...locked, knocking: [{ ...knockBy("Cy", 999_000), client: "x" }] });
    expect(heardBy(decideNow(renewing, frame(1, { type: "knock", name: "C" })), 1)).toEqual([tooMany]);
    const two = [knockBy("A", 0, "1".repeat(32)), knockBy("B", 0, "2".repeat(32))].map((k) => ({ ...k, client: "x" }));
    const third = (client: string) => roomFacts({ ...locked, knocking: two, doors: [{ client, since: 0 }] });
    expect(heardBy(decideNow(third("x"), frame(3, { type: "knock", name: "Cy" })), 3)).toEqual([tooMany]);
    expect(gist(heardBy(decideNow(third("y"), frame(3, { type: "knock", name: "Cy" })), 3))).toEqual(["knock-sent"]);
    const empty = { tokens: 0, overflow: 0, at: 1_000_000 };
    const drained = roomFacts({
      ...locked,
      doors: [{ client: "y", since: 0 }],
      records: { lock: LOCK, knockBudget: empty },
    });
    expect(heardBy(decideNow(drained, frame(1, { type: "knock", name: "Cy" })), 1)).toEqual([
      { type: "denied", reason: "too-many-knocks", retryAfterMs: 6_000 },
    ]);
  });

  it("marks a knocker whose name looks like a member's, and tells only the members", () => {
    const effects = decideNow(
      roomFacts({ ...locked, doors: [{ client: "x", since: 0 }] }),
      frame(1, { type: "knock", name: "A\u200bDA" }),
    );
    expect(heardBy(effects, 1)).toEqual([{ type: "knock-sent" }]);
    expect(broadcast(effects)).toEqual([{ type: "knocking", id: FRESH_ID, name: "A\u200bDA", nameInUse: true }]);
    expect(namesLookAlike("Ｂｏ", "bo")).toBe(true);
    expect(namesLookAlike("Bo", "Bob")).toBe(false);
  });

  it("gives lock and unlock a per-socket cooldown, and refuses a key too short once normalized", () => {
    const justLocked = (now: number, lock = LOCK as typeof LOCK | null) => {
      const facts = roomFacts({ connected: [ada], now, records: { lock } });
      return { ...facts, sockets: [{ attachment: { ...facts.sockets[0]!.attachment, lockChangedAt: 1_000 } }] };
    };
    const lock = frame(0, { type: "lock", key: "a good key" });
    expect(gist(heardBy(decideNow(justLocked(1_500, null), lock), 0))).toEqual(["lock-cooldown"]);
    expect(gist(heardBy(decideNow(justLocked(1_500), frame(0, { type: "unlock" })), 0))).toEqual(["lock-cooldown"]);
    expect(questionOf(justLocked(3_000, null), lock)).toEqual({ kind: "new-lock", key: "a good key" });
    expect(heardBy(decideNow(roomFacts({ connected: [ada] }), frame(0, { type: "lock", key: "  ab  " })), 0)).toEqual([
      {
        type: "error",
        code: "bad-message",
        message: "Invalid `lock` message: The key must be at least 4 characters long.",
      },
    ]);
  });
});
