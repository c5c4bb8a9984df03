import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Room } from "../../durable-objects/room";
import { budgetConfig, DEFAULT_BUDGET, freshBudget, spend } from "../../durable-objects/room-rules/message-budget";
import { offer, RoomClient, randomRoom, roomIdOf, roomStub } from "./support/room-client";

const config = { burst: 3, perSecond: 1, overflowLimit: 2 };

describe("message budget", () => {
  it("allows a burst, refuses beyond it, and refills over time", () => {
    let state = freshBudget(config, 0);
    const verdicts: string[] = [];
    for (let n = 0; n < 4; n++) {
      const result = spend(state, config, 0);
      state = result.state;
      verdicts.push(result.verdict);
    }
    expect(verdicts).toEqual(["ok", "ok", "ok", "refused"]);
    expect(spend(state, config, 1_000).verdict).toBe("ok");
  });

  it("closes only under sustained abuse", () => {
    let state = freshBudget(config, 0);
    const verdicts: string[] = [];
    for (let n = 0; n < 6; n++) {
      const result = spend(state, config, 0);
      state = result.state;
      verdicts.push(result.verdict);
    }
    expect(verdicts).toEqual(["ok", "ok", "ok", "refused", "refused", "close"]);
  });

  it("forgives old refusals", () => {
    let state = freshBudget(config, 0);
    for (let n = 0; n < 5; n++) state = spend(state, config, 0).state;
    expect(state.overflow).toBe(2);
    expect(spend(state, config, 10_000)).toMatchObject({ verdict: "ok", state: { overflow: 0 } });
  });

  it("reads limits from the environment with sane fallbacks", () => {
    expect(budgetConfig({})).toEqual(DEFAULT_BUDGET);
    expect(budgetConfig({ MESSAGE_BURST: "10", MESSAGES_PER_SECOND: "2" })).toMatchObject({ burst: 10, perSecond: 2 });
    expect(budgetConfig({ MESSAGE_BURST: "-1", MESSAGES_PER_SECOND: "x" })).toEqual(DEFAULT_BUDGET);
  });
});

describe("a flooding socket", () => {
  it("is refused, then closed with 1008, while the honest peers never notice", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    await ada.next("peer-joined");
    // A stopped clock: on a loaded machine the flood may take longer than a socket may idle
    // at the door (door.ts), and this test is about the flood limit, not the idle one.
    const frozen = Date.now();
    await runInDurableObject(roomStub(room), (instance: Room) => {
      instance.now = () => frozen;
    });
    const flooder = await RoomClient.connect(room);
    for (let n = 0; n < DEFAULT_BUDGET.burst + DEFAULT_BUDGET.overflowLimit + 50; n++) flooder.send("{}");
    const closed = await flooder.waitForClose();
    expect(closed.code).toBe(1008);
    expect(flooder.received.some((m) => m.type === "error" && m.code === "rate-limited")).toBe(true);

    for (let n = 0; n < 50; n++) ada.signal(bo.id, offer);
    for (let n = 0; n < 50; n++) expect(await bo.next("signal")).toMatchObject({ from: ada.id });
    await ada.expectNothingPending();
  });

  it("stays refused through hibernation once it has emptied its bucket", async () => {
    const room = randomRoom();
    await roomIdOf(room);
    const stub = roomStub(room);
    // A frozen clock, from before the join: no refill between the join, the burst and the retry,
    // however long eviction takes.
    const frozen = Date.now();
    const freeze = () => runInDurableObject(stub, (instance: Room) => (instance.now = () => frozen));
    await freeze();
    const { client: ada } = await RoomClient.join(room, "Ada");
    // The join spent one token.
    for (let n = 0; n < DEFAULT_BUDGET.burst; n++) ada.send("{}");
    for (let n = 0; n < DEFAULT_BUDGET.burst - 1; n++) expect((await ada.next("error")).code).toBe("bad-message");
    expect((await ada.next("error")).code).toBe("rate-limited");

    await evictDurableObject(stub);
    await freeze();
    ada.send("{}");
    const after = await ada.next("error");
    expect(after.code).toBe("rate-limited");
  });
});
