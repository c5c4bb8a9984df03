/**
 * The start-up helper, like the coturn one: a free loopback port per start, and a stop that leaves
 * nothing behind (every peer connection closed, the port released), so test files can start and
 * stop stand-ins freely.
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { RealtimeApi } from "./support/api";
import { Endpoint, until } from "./support/endpoint";

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * UDP sockets open in this process. A closed socket leaves the list only once the event loop has run
 * its close callback, which comes after the check phase: two setImmediate turns are always enough.
 */
async function openUdpSockets(): Promise<number> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((kind) => kind === "UDPWrap").length;
}

describe("startSfuStandin", () => {
  const started: SfuStandin[] = [];
  const endpoints: Endpoint[] = [];
  afterEach(async () => {
    await Promise.all(endpoints.splice(0).map((e) => e.close()));
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });

  it("listens on 127.0.0.1 on a port of its own, with fresh credentials each time", async () => {
    const first = await startSfuStandin();
    const second = await startSfuStandin();
    started.push(first, second);
    expect(first.apiBase).toBe(`http://127.0.0.1:${first.port}/v1`);
    expect(second.port).not.toBe(first.port);
    expect(second.appSecret).not.toBe(first.appSecret);
    expect(await acceptsConnections(first.port)).toBe(true);
  });

  it("stop() closes every session's peer connection and releases the port", async () => {
    const standin = await startSfuStandin();
    const api = new RealtimeApi(standin);
    const publisher = await Endpoint.create(api);
    endpoints.push(publisher);
    await publisher.publish("camera");
    await until("the publisher to connect", () => publisher.pc.connectionState === "connected");
    const session = standin.server.session(publisher.sessionId);

    await standin.stop();
    expect(session?.pc.connectionState).toBe("closed");
    expect(await acceptsConnections(standin.port)).toBe(false);
  });

  it("stop() leaves no UDP socket open, also after one offer carried several tracks", async () => {
    const before = await openUdpSockets();
    const standin = await startSfuStandin();
    const api = new RealtimeApi(standin);
    const publisher = await Endpoint.create(api);
    const subscriber = await Endpoint.create(api);
    await publisher.publish("camera");
    await publisher.publish("mic", { kind: "audio" });
    // One SFU offer with two m-lines: a peer connection that gives each its own ICE transport
    // before the answer bundles them loses track of the second one (werift 0.25 never closes it).
    await subscriber.pull([
      { sessionId: publisher.sessionId, trackName: "camera" },
      { sessionId: publisher.sessionId, trackName: "mic" },
    ]);
    await until("the subscriber to connect", () => subscriber.pc.connectionState === "connected");

    await Promise.all([publisher.close(), subscriber.close()]);
    await standin.stop();
    expect(await openUdpSockets()).toBe(before);
  });
});
