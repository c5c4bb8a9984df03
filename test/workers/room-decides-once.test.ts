/**
 * The Room's shell gathers what an event needs before it decides, so the rules run once per
 * event. Only what the rules alone know they need (a new member's TURN credentials, a key's
 * hash) costs a second run. Counted on the real Room in workerd, over real WebSockets.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Room } from "../../durable-objects/room";
import { offer, pair, RoomClient, roomStub } from "./support/room-client";

const decisions = (room: string) => runInDurableObject(roomStub(room), (i: Room) => i.decisionsSinceWake);

/** How many times the rules ran while `step` happened. */
async function runsDuring(room: string, step: () => Promise<unknown>): Promise<number> {
  const before = await decisions(room);
  await step();
  return (await decisions(room)) - before;
}

describe("one decision per event", () => {
  it("decides a socket opening, a signal, a state change, a leave and the alarm in one run each", async () => {
    const { room, ada, bo } = await pair();
    expect(await runsDuring(room, () => RoomClient.connect(room))).toBe(1);
    expect(
      await runsDuring(room, async () => {
        ada.signal(bo.id, offer);
        await bo.next("signal");
      }),
    ).toBe(1);
    expect(
      await runsDuring(room, async () => {
        bo.send({ type: "state", audio: false });
        await bo.next("peer-state");
      }),
    ).toBe(1);
    expect(
      await runsDuring(room, async () => {
        bo.send({ type: "raise-hand" });
        await bo.next("peer-state");
      }),
    ).toBe(1);
    expect(
      await runsDuring(room, async () => {
        bo.close();
        while ((await ada.next()).type !== "peer-left");
      }),
    ).toBe(1);
    // The socket still at the door keeps an alarm set (its idle close).
    let ran = false;
    expect(
      await runsDuring(room, async () => {
        ran = await runDurableObjectAlarm(roomStub(room));
      }),
    ).toBe(1);
    expect(ran).toBe(true);
  });

  it("decides a join twice (its credentials are minted only once the rules let it in), a resume too", async () => {
    const { room, ada, bo } = await pair();
    const cy = await RoomClient.connect(room);
    expect(
      await runsDuring(room, async () => {
        cy.send({ type: "join", name: "Cy" });
        await cy.next("welcome");
      }),
    ).toBe(2);
    await ada.next("peer-joined");

    // 4000: the network dropped; the resume's token is checked before deciding, with the records.
    bo.ws.close(4000, "network drop");
    await ada.expectNothingPending();
    const back = await RoomClient.connect(room);
    expect(
      await runsDuring(room, async () => {
        back.send({ type: "join", name: "Bo", resume: { id: bo.id, token: bo.resumeToken } });
        expect((await back.next("welcome")).id).toBe(bo.id);
      }),
    ).toBe(2);
  });
});
