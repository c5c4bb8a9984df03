import { afterAll, beforeAll, expect, test } from "vitest";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { RealtimeApi } from "./support/api";
import { Endpoint, until } from "./support/endpoint";

let standin: SfuStandin;
beforeAll(async () => {
  standin = await startSfuStandin();
});
afterAll(async () => {
  await standin?.stop();
});

test("smoke", async () => {
  const api = new RealtimeApi(standin);
  const a = await Endpoint.create(api);
  const b = await Endpoint.create(api);
  const t0 = performance.now();
  await a.publish("cam");
  console.log("publish", performance.now() - t0, a.pc.localDescription?.sdp.includes("candidate"));
  const [mid] = await b.pull([{ sessionId: a.sessionId, trackName: "cam" }]);
  console.log("pull", performance.now() - t0, mid);
  await until("packets", () => (b.received.get(mid ?? "") ?? 0) > 5);
  console.log("first packets", performance.now() - t0, b.received);
  expect(b.received.get(mid ?? "")).toBeGreaterThan(5);
  await a.close();
  await b.close();
});
