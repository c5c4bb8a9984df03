/**
 * Raised hands and reactions as pure rules (durable-objects/room-rules/etiquette.ts): facts and
 * a frame in, effects out. No sockets, no storage.
 */
import { describe, expect, it } from "vitest";
import type { Facts } from "../../durable-objects/room-rules/facts";
import { REACTION_BUDGET } from "../../durable-objects/room-rules/limits";
import { freshBudget } from "../../durable-objects/room-rules/message-budget";
import {
  ada,
  bo,
  broadcast,
  cy,
  decideNow,
  frame,
  gist,
  heardBy,
  ICE,
  ofKind,
  roomFacts,
  said,
} from "./support/room-facts";

const NOW = 1_000_000;

describe("raising a hand", () => {
  it("puts the hand at the end of the queue, strictly after every hand already up, and tells everyone", () => {
    // Bo's hand went up "in the future" by the room's clock (same millisecond, or a clock step).
    const facts = roomFacts({ connected: [ada, { ...bo, hand: NOW + 5 }, cy], now: NOW });
    const effects = decideNow(facts, frame(2, { type: "raise-hand" }));
    const cyRaised = { ...cy, hand: NOW + 6 };
    expect(broadcast(effects)).toEqual([{ type: "peer-state", peer: cyRaised }]);
    expect(ofKind(effects, "attach")[0]?.attachment.member).toEqual(cyRaised);
  });

  it("uses the room's clock when no hand is up", () => {
    const effects = decideNow(roomFacts({ connected: [ada, bo], now: NOW }), frame(1, { type: "raise-hand" }));
    expect(broadcast(effects)).toEqual([{ type: "peer-state", peer: { ...bo, hand: NOW } }]);
  });

  it("refuses a second raise, and anyone not in the call, changing nothing", () => {
    const facts = roomFacts({ connected: [{ ...ada, hand: 5 }], doors: [{ client: "x", since: 0 }], now: NOW });
    for (const [socket, code] of [
      [0, "hand-already-raised"],
      [1, "not-joined"],
    ] as const) {
      const effects = decideNow(facts, frame(socket, { type: "raise-hand" }));
      expect(gist(heardBy(effects, socket))).toEqual([code]);
      expect(broadcast(effects)).toEqual([]);
      expect(ofKind(effects, "attach")).toEqual([]);
    }
  });
});

describe("lowering a hand", () => {
  const withHands = (): Facts =>
    roomFacts({ connected: [{ ...ada, hand: 10 }, { ...bo, hand: 20 }, cy], now: NOW, away: [] });

  it("lowers one's own hand without an id", () => {
    const effects = decideNow(withHands(), frame(0, { type: "lower-hand" }));
    expect(broadcast(effects)).toEqual([{ type: "peer-state", peer: ada }]);
  });

  it("lets anyone lower someone else's hand, leaving the other hands where they were", () => {
    const effects = decideNow(withHands(), frame(2, { type: "lower-hand", id: ada.id }));
    expect(broadcast(effects)).toEqual([{ type: "peer-state", peer: ada }]);
    expect(ofKind(effects, "attach").map((a) => a.socket)).toEqual([0]);
  });

  it("says which hand is not raised or which peer is unknown, changing nothing", () => {
    const stranger = "e".repeat(32);
    const cases = [
      { socket: 2, id: undefined, code: "hand-not-raised" },
      { socket: 0, id: cy.id, code: "hand-not-raised" },
      { socket: 0, id: stranger, code: "unknown-peer" },
    ];
    for (const { socket, id, code } of cases) {
      const effects = decideNow(withHands(), frame(socket, { type: "lower-hand", ...(id && { id }) }));
      expect(said(effects)).toEqual([{ to: socket, message: expect.objectContaining({ type: "error", code }) }]);
      expect(ofKind(effects, "attach")).toEqual([]);
    }
  });

  it("lets anyone lower the hand of someone briefly away: it is kept with their identity", () => {
    const facts = roomFacts({ connected: [ada], away: [{ member: { ...bo, hand: 3 }, until: NOW + 1000 }], now: NOW });
    const effects = decideNow(facts, frame(0, { type: "lower-hand", id: bo.id }));
    expect(broadcast(effects)).toEqual([{ type: "peer-state", peer: bo }]);
    expect(ofKind(effects, "store").map((e) => e.value)).toEqual([{ member: bo, seq: 2, until: NOW + 1000 }]);
  });

  it("keeps a raised hand through a dropped socket's resume, for everyone and for its owner", () => {
    const facts = roomFacts({
      connected: [ada],
      away: [{ member: { ...bo, hand: 3 }, until: NOW + 5000 }],
      doors: [{ client: "x", since: 0 }],
      now: NOW,
      answers: { resumeTokenValid: true, ice: ICE, resumeToken: { id: bo.id, token: "token" } },
    });
    const effects = decideNow(facts, frame(1, { type: "join", name: "Bo", resume: { id: bo.id, token: "token" } }));
    expect(broadcast(effects)).toEqual([{ type: "peer-joined", peer: { ...bo, hand: 3 } }]);
    expect(heardBy(effects, 1)).toEqual([expect.objectContaining({ type: "welcome", id: bo.id, hand: 3 })]);
  });

  it("writes the hand to the identity, so that it outlives the socket", () => {
    const effects = decideNow(roomFacts({ connected: [ada, bo], now: NOW }), frame(1, { type: "raise-hand" }));
    expect(ofKind(effects, "store").map((e) => e.value)).toEqual([
      { member: { ...bo, hand: NOW }, seq: 2, until: null },
    ]);
  });
});

describe("reactions", () => {
  it("relays a reaction to everyone, the sender included, and stores nothing", () => {
    const effects = decideNow(
      roomFacts({ connected: [ada, bo], noRecords: true }),
      frame(0, { type: "react", emoji: "🎉" }),
    );
    expect(said(effects)).toEqual([
      { to: "members but null", message: { type: "reaction", from: ada.id, emoji: "🎉" } },
    ]);
    expect(ofKind(effects, "store")).toEqual([]);
    expect(ofKind(effects, "attach")).toEqual([]);
  });

  it("drops a reaction beyond the sender's bucket with an error to the sender alone", () => {
    const facts = roomFacts({ connected: [ada, bo], now: NOW, noRecords: true });
    const spent = { ...facts.sockets[0]!, reactionBudget: { ...freshBudget(REACTION_BUDGET, NOW), tokens: 0 } };
    const flooding: Facts = { ...facts, sockets: [spent, facts.sockets[1]!] };
    const effects = decideNow(flooding, frame(0, { type: "react", emoji: "👍" }));
    expect(said(effects)).toEqual([{ to: 0, message: expect.objectContaining({ code: "too-many-reactions" }) }]);
    // Bo's own bucket is untouched: one person's flood never slows another down.
    const bos = decideNow(flooding, frame(1, { type: "react", emoji: "👍" }));
    expect(broadcast(bos)).toEqual([{ type: "reaction", from: bo.id, emoji: "👍" }]);
  });

  it("lets a burst of REACTION_BUDGET.burst through, then refuses, then refills", () => {
    let facts = roomFacts({ connected: [ada], now: NOW, noRecords: true });
    const outcomes: string[] = [];
    const send = () => {
      const effects = decideNow(facts, frame(0, { type: "react", emoji: "👏" }));
      const kept = ofKind(effects, "keep-budget").find((k) => k.bucket === "reactions");
      facts = { ...facts, sockets: [{ ...facts.sockets[0]!, reactionBudget: kept?.state }] };
      outcomes.push(...gist(said(effects).map((s) => s.message)));
    };
    for (let i = 0; i <= REACTION_BUDGET.burst; i++) send();
    facts = { ...facts, now: NOW + 1000 / REACTION_BUDGET.perSecond };
    send();
    expect(outcomes).toEqual([...Array(REACTION_BUDGET.burst).fill("reaction"), "too-many-reactions", "reaction"]);
  });
});
