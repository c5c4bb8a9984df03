/**
 * Raised hands and reactions through a real room: real WebSockets into workerd, the Worker's
 * own routing, the Durable Object's shell and its rules.
 */
import { describe, expect, it } from "vitest";
import { REACTION_BUDGET } from "../../durable-objects/room-rules/limits";
import { pair, RoomClient } from "./support/room-client";

describe("raised hands", () => {
  it("keeps hands in the order they went up, tells late joiners, and lets anyone lower one", async () => {
    const { room, ada, bo } = await pair();
    bo.send({ type: "raise-hand" });
    const boUp = await ada.next("peer-state");
    expect(await bo.next("peer-state")).toEqual(boUp);
    ada.send({ type: "raise-hand" });
    const adaUp = await bo.next("peer-state");
    await ada.next("peer-state");
    expect(boUp.peer.hand).toBeTypeOf("number");
    expect(adaUp.peer.hand).toBeGreaterThan(boUp.peer.hand!);

    const { client: cy, peers } = await RoomClient.join(room, "Cy");
    expect(peers.map((p) => [p.name, p.hand])).toEqual([
      ["Ada", adaUp.peer.hand],
      ["Bo", boUp.peer.hand],
    ]);
    await ada.next("peer-joined");
    await bo.next("peer-joined");

    // Bo has spoken: Cy lowers Bo's hand; everyone hears, and Ada's stays up.
    cy.send({ type: "lower-hand", id: bo.id });
    for (const client of [ada, bo, cy]) {
      const news = await client.next("peer-state");
      expect(news.peer).toEqual({ id: bo.id, name: "Bo" });
    }
    const { peers: later } = await RoomClient.join(room, "Di");
    expect(later.map((p) => [p.name, p.hand])).toEqual([
      ["Ada", adaUp.peer.hand],
      ["Bo", undefined],
      ["Cy", undefined],
    ]);
  });

  it("refuses bad hand messages with a specific error that changes nothing", async () => {
    const { room, ada, bo } = await pair();
    const cases: [unknown, string][] = [
      [{ type: "lower-hand" }, "hand-not-raised"],
      [{ type: "lower-hand", id: bo.id }, "hand-not-raised"],
      [{ type: "lower-hand", id: "e".repeat(32) }, "unknown-peer"],
      [{ type: "lower-hand", id: "not an id" }, "bad-message"],
      [{ type: "raise-hand", hand: 1 }, "bad-message"],
      [{ type: "state", hand: 1 }, "bad-message"],
    ];
    for (const [message, code] of cases) {
      ada.send(message);
      const reply = await ada.next("error");
      expect(reply.code, JSON.stringify(message)).toBe(code);
    }
    ada.send({ type: "raise-hand" });
    const up = await ada.next("peer-state");
    ada.send({ type: "raise-hand" });
    expect((await ada.next("error")).code).toBe("hand-already-raised");
    await ada.expectNothingPending();
    await bo.next("peer-state");
    await bo.expectNothingPending();
    const { peers } = await RoomClient.join(room, "Cy");
    expect(peers.find((p) => p.id === ada.id)?.hand).toBe(up.peer.hand);
  });

  it("takes the hand down with its owner when they leave", async () => {
    const { room, ada, bo } = await pair();
    bo.send({ type: "raise-hand" });
    await ada.next("peer-state");
    bo.close();
    expect(await ada.next("peer-left")).toEqual({ type: "peer-left", id: bo.id });
    const { peers } = await RoomClient.join(room, "Cy");
    expect(peers.map((p) => p.name)).toEqual(["Ada"]);
    expect(peers[0]?.hand).toBeUndefined();
  });
});

describe("reactions", () => {
  it("relays a reaction to everyone with the sender's id", async () => {
    const { ada, bo } = await pair();
    ada.send({ type: "react", emoji: "❤️" });
    for (const client of [ada, bo]) {
      expect(await client.next("reaction")).toEqual({ type: "reaction", from: ada.id, emoji: "❤️" });
    }
  });

  it("refuses anything but the offered emoji", async () => {
    const { ada, bo } = await pair();
    for (const emoji of ["💩", "hello", "👍👍", 1]) {
      ada.send({ type: "react", emoji });
      const reply = await ada.next("error");
      expect(reply.code).toBe("bad-message");
      expect(reply.message).toContain("emoji");
    }
    await bo.expectNothingPending();
  });

  it("drops a flood beyond the sender's allowance, and the others still react and talk", async () => {
    const { ada, bo } = await pair();
    const flood = REACTION_BUDGET.burst + 10;
    for (let i = 0; i < flood; i++) ada.send({ type: "react", emoji: "🎉" });
    // Bo still gets through at once, however much Ada floods.
    bo.send({ type: "react", emoji: "👍" });
    const adaHeard = [];
    for (let i = 0; i < flood + 1; i++) adaHeard.push(await ada.next());
    const refused = adaHeard.filter((m) => m.type === "error" && m.code === "too-many-reactions").length;
    const relayed = adaHeard.filter((m) => m.type === "reaction" && m.from === ada.id).length;
    expect(relayed + refused).toBe(flood);
    expect(relayed).toBeLessThan(flood);
    expect(refused).toBeGreaterThanOrEqual(flood - REACTION_BUDGET.burst - 1);
    const boHeard = [];
    for (let i = 0; i < relayed + 1; i++) boHeard.push(await bo.next("reaction"));
    expect(boHeard.filter((m) => m.from === bo.id)).toHaveLength(1);
    await bo.expectNothingPending();
  });
});
