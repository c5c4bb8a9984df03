import { describe, expect, it } from "vitest";
import {
  type Effect,
  type Facts,
  handleDeparture,
  handleMessage,
  handleResume,
  KNOCK_LAPSE_MS,
  type Knock,
  lapseKnocks,
  MAX_PENDING_KNOCKS,
  type Member,
  namesLookAlike,
  resume,
} from "../../durable-objects/room-core";
import { KNOCK_BUDGET } from "../../durable-objects/room-limits";

const ada: Member = { id: "a".repeat(32), name: "Ada" };
const bo: Member = { id: "b".repeat(32), name: "Bo" };
const newId = () => "c".repeat(32);
const offer = { description: { type: "offer" as const, sdp: "v=0" } };
const facts = (over: Partial<Facts> = {}): Facts => ({
  members: [],
  knocks: [],
  lock: null,
  now: 1_000,
  maxPeers: 8,
  newId,
  ...over,
});
const outsider = { member: null, knock: null };
const knockBy = (name: string, at = 0, id = "d".repeat(32)): Knock => ({ id, name, at });
/** Error codes and effect kinds, the gist of what the rules decided. */
const gist = (effects: Effect[]) =>
  effects.map((e) => (e.kind === "reply" ? (e.message.type === "error" ? e.message.code : e.message.type) : e.kind));

describe("joining", () => {
  it("admits a joiner to an open room, announcing them before welcoming them", () => {
    const effects = handleMessage(facts({ members: [ada, bo] }), outsider, { type: "join", name: "Cy" });
    const cy = { id: newId(), name: "Cy" };
    expect(effects).toEqual([
      { kind: "broadcast", except: cy.id, message: { type: "peer-joined", peer: cy } },
      { kind: "admit", member: cy },
      { kind: "welcome", member: cy, peers: [ada, bo], lock: null, knockId: null },
    ]);
  });

  it("tells an outsider without a key only that the room is locked", () => {
    const effects = handleMessage(facts({ members: [ada], lock: { by: "Ada" } }), outsider, {
      type: "join",
      name: "X",
    });
    expect(effects).toEqual([{ kind: "reply", message: { type: "denied", reason: "locked" } }]);
  });

  it("asks the shell to check a key before letting anyone into a locked room", () => {
    const effects = handleMessage(facts({ lock: { by: "Ada" } }), outsider, { type: "join", name: "X", key: "abcd" });
    expect(effects).toEqual([{ kind: "verify-key", name: "X", key: "abcd" }]);
  });

  it("refuses a second join", () => {
    expect(gist(handleMessage(facts(), { member: ada }, { type: "join", name: "Ada" }))).toEqual(["already-joined"]);
  });
});

describe("capacity", () => {
  const eight = Array.from({ length: 8 }, (_, i) => ({ id: String(i).padStart(32, "0"), name: `P${i}` }));

  it("refuses the ninth joiner and an admission into a full room, but takes a knock without saying 'full'", () => {
    expect(handleMessage(facts({ members: eight }), outsider, { type: "join", name: "Nine" })).toEqual([
      { kind: "reply", message: { type: "denied", reason: "full" } },
    ]);
    const locked = { members: eight, lock: { by: "P0" } };
    expect(gist(handleMessage(facts(locked), outsider, { type: "knock", name: "Nine" }))).toEqual([
      "set-knock",
      "set-knock-budget",
      "knock-sent",
      "broadcast",
    ]);
    const knock = knockBy("Nine");
    const admitter = { member: eight[0]! };
    const others = { ...locked, members: eight.slice(1), knocks: [knock] };
    expect(handleMessage(facts(others), admitter, { type: "admit", id: knock.id })).toEqual([
      { kind: "to-knocker", id: knock.id, message: { type: "denied", reason: "full" }, end: true },
      { kind: "broadcast", except: null, message: { type: "knock-ended", id: knock.id, outcome: "full" } },
    ]);
  });

  it("lets a known peer resume into a full room, but not a forgotten one", () => {
    const me = eight[3]!;
    expect(gist(resume(facts({ members: eight }), outsider, me, true))).toEqual(["broadcast", "admit", "welcome"]);
    const others = eight.filter((m) => m !== me);
    const ninth = { id: "f".repeat(32), name: "Nine" };
    expect(gist(resume(facts({ members: others }), outsider, me, false))).toEqual(["broadcast", "admit", "welcome"]);
    expect(gist(resume(facts({ members: eight }), outsider, ninth, false))).toEqual(["denied"]);
  });

  it("keeps the resumed id", () => {
    const effects = resume(facts({ members: [bo] }), outsider, ada, true);
    expect(effects).toContainEqual({ kind: "admit", member: ada });
  });
});

describe("resume claims", () => {
  const join = { type: "join" as const, name: "Bo", resume: { id: bo.id, token: "t" } };
  const locked = { members: [ada], lock: { by: "Ada" } };

  it("honours only a valid token of a live identity", () => {
    const live = handleResume(facts({ ...locked, members: [ada, bo] }), outsider, join, {
      tokenValid: true,
      live: true,
    });
    expect(live).toContainEqual({ kind: "admit", member: bo });
  });

  it("treats any other claim as an ordinary join, lock and all", () => {
    for (const claim of [
      { tokenValid: true, live: false },
      { tokenValid: false, live: true },
      { tokenValid: false, live: false },
    ]) {
      expect(handleResume(facts(locked), outsider, join, claim)).toEqual([
        { kind: "reply", message: { type: "denied", reason: "locked" } },
      ]);
      const open = handleResume(facts({ members: [ada] }), outsider, join, claim);
      expect(open).toContainEqual({ kind: "admit", member: { id: newId(), name: "Bo" } });
    }
  });
});

describe("signals", () => {
  it("relays to exactly one member with the sender's id", () => {
    const effects = handleMessage(
      facts({ members: [bo] }),
      { member: ada },
      { type: "signal", to: bo.id, data: offer },
    );
    expect(effects).toEqual([{ kind: "send", to: bo.id, message: { type: "signal", from: ada.id, data: offer } }]);
  });

  it("refuses signals from outsiders, to strangers and to oneself", () => {
    const f = facts({ members: [bo] });
    expect(
      [
        handleMessage(f, outsider, { type: "signal", to: bo.id, data: offer }),
        handleMessage(f, { member: ada }, { type: "signal", to: "e".repeat(32), data: offer }),
        handleMessage(f, { member: ada }, { type: "signal", to: ada.id, data: offer }),
      ].map(gist),
    ).toEqual([["not-joined"], ["unknown-peer"], ["unknown-peer"]]);
  });
});

describe("locks", () => {
  it("lets members lock and unlock, and nobody else", () => {
    expect(handleMessage(facts(), { member: ada }, { type: "lock", key: "secret" })).toEqual([
      { kind: "store-lock", key: "secret", by: "Ada" },
    ]);
    expect(handleMessage(facts({ lock: { by: "Ada" } }), { member: bo }, { type: "unlock" })).toEqual([
      { kind: "clear-lock", by: "Bo" },
    ]);
    expect(gist(handleMessage(facts(), outsider, { type: "lock", key: "secret" }))).toEqual(["not-joined"]);
    expect(gist(handleMessage(facts({ lock: { by: "A" } }), outsider, { type: "unlock" }))).toEqual(["not-joined"]);
    expect(gist(handleMessage(facts(), { member: ada }, { type: "unlock" }))).toEqual(["not-locked"]);
  });
});

describe("knocking", () => {
  const locked = { lock: { by: "Ada" }, members: [ada] };

  it("records a knock and tells the members", () => {
    const effects = handleMessage(facts(locked), outsider, { type: "knock", name: "Cy" });
    expect(effects).toEqual([
      { kind: "set-knock", knock: { id: newId(), name: "Cy", at: 1_000 } },
      { kind: "set-knock-budget", state: { tokens: KNOCK_BUDGET.burst - 1, overflow: 0, at: 1_000 } },
      { kind: "reply", message: { type: "knock-sent" } },
      { kind: "broadcast", except: null, message: { type: "knocking", id: newId(), name: "Cy" } },
    ]);
  });

  it("refuses knocks on open rooms and beyond the cap", () => {
    expect(gist(handleMessage(facts(), outsider, { type: "knock", name: "Cy" }))).toEqual(["not-locked"]);
    const full = Array.from({ length: MAX_PENDING_KNOCKS }, (_, i) => knockBy(`K${i}`, 0, String(i).padStart(32, "0")));
    expect(gist(handleMessage(facts({ ...locked, knocks: full }), outsider, { type: "knock", name: "Cy" }))).toEqual([
      "denied",
    ]);
  });

  it("admits a knocker under their knock id, with everyone told", () => {
    const knock = knockBy("Cy");
    const effects = handleMessage(
      facts({ ...locked, members: [bo], knocks: [knock] }),
      { member: ada },
      {
        type: "admit",
        id: knock.id,
      },
    );
    const cy = { id: knock.id, name: "Cy" };
    expect(effects).toEqual([
      { kind: "broadcast", except: null, message: { type: "peer-joined", peer: cy } },
      { kind: "broadcast", except: null, message: { type: "knock-ended", id: knock.id, outcome: "admitted" } },
      { kind: "welcome", member: cy, peers: [bo, ada], lock: { by: "Ada" }, knockId: knock.id },
      { kind: "admit-knocker", id: knock.id, member: cy },
    ]);
  });

  it("declines and lapses knocks", () => {
    const knock = knockBy("Cy");
    expect(
      gist(handleMessage(facts({ ...locked, knocks: [knock] }), { member: ada }, { type: "deny", id: knock.id })),
    ).toEqual(["hold-knocker", "to-knocker", "broadcast"]);
    expect(gist(handleMessage(facts({ ...locked }), { member: ada }, { type: "deny", id: knock.id }))).toEqual([
      "unknown-knock",
    ]);
    expect(lapseKnocks(facts({ knocks: [knock], now: KNOCK_LAPSE_MS - 1 }))).toEqual([]);
    expect(lapseKnocks(facts({ knocks: [knock], now: KNOCK_LAPSE_MS }))).toEqual([
      { kind: "to-knocker", id: knock.id, message: { type: "denied", reason: "knock-lapsed" }, end: true },
      { kind: "broadcast", except: null, message: { type: "knock-ended", id: knock.id, outcome: "lapsed" } },
    ]);
  });
});

describe("removing and leaving", () => {
  it("removes another member with a message, a close, and a peer-left for everyone else at once", () => {
    expect(handleMessage(facts({ members: [bo] }), { member: ada }, { type: "kick", id: bo.id })).toEqual([
      { kind: "send", to: bo.id, message: { type: "removed", by: "Ada" } },
      { kind: "close", id: bo.id, code: 4003, reason: "You were removed from the call." },
      { kind: "broadcast", except: bo.id, message: { type: "peer-left", id: bo.id } },
    ]);
    expect(gist(handleMessage(facts({ members: [bo] }), { member: ada }, { type: "kick", id: ada.id }))).toEqual([
      "unknown-peer",
    ]);
  });

  it("announces a member's departure to everyone else, and withdraws a knocker's knock", () => {
    expect(handleDeparture({ member: ada })).toEqual([
      { kind: "broadcast", except: ada.id, message: { type: "peer-left", id: ada.id } },
    ]);
    const knock = knockBy("Cy");
    expect(handleDeparture({ member: null, knock })).toEqual([
      { kind: "broadcast", except: null, message: { type: "knock-ended", id: knock.id, outcome: "withdrawn" } },
    ]);
    expect(handleDeparture(outsider)).toEqual([]);
  });
});

describe("limits (issue #11)", () => {
  const locked = { lock: { by: "Ada" }, members: [ada] };
  const door = (client: string, heldUntil?: number) => ({
    member: null,
    knock: null,
    door: { client, ...(heldUntil && { heldUntil }) },
  });
  const denial = (effects: Effect[]) => effects.map((e) => (e.kind === "reply" ? e.message : e.kind));

  it("refuses a knock during a hold, a renewal too soon, a third from one client, and an empty room bucket alike", () => {
    const tooMany = { type: "denied", reason: "too-many-knocks", retryAfterMs: expect.any(Number) };
    expect(denial(handleMessage(facts({ ...locked, now: 5 }), door("x", 10), { type: "knock", name: "Cy" }))).toEqual([
      tooMany,
    ]);
    const renewing = { member: null, knock: knockBy("Cy", 1_000), door: { client: "x" } };
    expect(denial(handleMessage(facts({ ...locked, now: 2_000 }), renewing, { type: "knock", name: "C" }))).toEqual([
      tooMany,
    ]);
    const two = [knockBy("A", 0, "1".repeat(32)), knockBy("B", 0, "2".repeat(32))].map((k) => ({ ...k, client: "x" }));
    expect(denial(handleMessage(facts({ ...locked, knocks: two }), door("x"), { type: "knock", name: "Cy" }))).toEqual([
      tooMany,
    ]);
    expect(gist(handleMessage(facts({ ...locked, knocks: two }), door("y"), { type: "knock", name: "Cy" }))).toContain(
      "knock-sent",
    );
    const empty = { tokens: 0, overflow: 0, at: 1_000 };
    expect(
      denial(handleMessage(facts({ ...locked, knockBudget: empty }), door("y"), { type: "knock", name: "Cy" })),
    ).toEqual([{ type: "denied", reason: "too-many-knocks", retryAfterMs: 6_000 }]);
  });

  it("marks a knocker whose name looks like a member's, and tells only the members", () => {
    const effects = handleMessage(facts(locked), door("x"), { type: "knock", name: "A\u200bDA" });
    expect(effects).toContainEqual({ kind: "reply", message: { type: "knock-sent" } });
    expect(effects).toContainEqual({
      kind: "broadcast",
      except: null,
      message: { type: "knocking", id: newId(), name: "A\u200bDA", nameInUse: true },
    });
    expect(namesLookAlike("Ｂｏ", "bo")).toBe(true);
    expect(namesLookAlike("Bo", "Bob")).toBe(false);
  });

  it("gives lock and unlock a per-socket cooldown, and refuses a key too short once normalized", () => {
    const justLocked = { member: ada, lockChangedAt: 1_000 };
    expect(gist(handleMessage(facts({ now: 1_500 }), justLocked, { type: "lock", key: "a good key" }))).toEqual([
      "lock-cooldown",
    ]);
    expect(gist(handleMessage(facts({ now: 1_500, lock: { by: "Ada" } }), justLocked, { type: "unlock" }))).toEqual([
      "lock-cooldown",
    ]);
    expect(gist(handleMessage(facts({ now: 3_000 }), justLocked, { type: "lock", key: "a good key" }))).toEqual([
      "store-lock",
    ]);
    expect(handleMessage(facts(), { member: ada }, { type: "lock", key: "  ab  " })).toEqual([
      {
        kind: "reply",
        message: {
          type: "error",
          code: "bad-message",
          message: "Invalid `lock` message: The key must be at least 4 characters long.",
        },
      },
    ]);
  });
});
