/**
 * The documented limits of Cloudflare Realtime, imitated by the stand-in
 * (https://developers.cloudflare.com/realtime/sfu/limits/, "Limits" and "Inactivity Timeout"):
 * 50 API calls per second per session, forwarding that stops when a track closes, and a track
 * without media dropped after the (here shortened) inactivity timeout. Counts, never timings, are asserted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REQUESTS_PER_SECOND, SessionRateLimiter } from "../../tooling/sfu-standin/rate-limit";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { RealtimeApi } from "./support/api";
import { Endpoint, until } from "./support/endpoint";

const LIMITS_PAGE = "https://developers.cloudflare.com/realtime/sfu/limits/";
/** Long enough for publish + pull to finish well inside it on a loaded machine, short enough for a test. */
const SHORT_TRACK_TIMEOUT_MS = 2_000;

const endpoints: Endpoint[] = [];
async function endpoint(api: RealtimeApi): Promise<Endpoint> {
  const created = await Endpoint.create(api);
  endpoints.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`requests per session (${LIMITS_PAGE} "Limits": "up to 50 API calls per second for each session")`, () => {
  it("lets 50 calls through in one second, refuses the 51st, and lets calls through again a second later", () => {
    let now = 0;
    const limiter = new SessionRateLimiter(REQUESTS_PER_SECOND, () => now);
    for (let i = 0; i < 50; i++) {
      now += 10; // 50 calls spread over half a second
      expect(limiter.take("a")).toBe(true);
    }
    expect(limiter.take("a")).toBe(false);
    expect(limiter.take("b"), "another session has its own budget").toBe(true);
    now += 1_000;
    expect(limiter.take("a")).toBe(true);
  });

  describe("over HTTP", () => {
    let standin: SfuStandin;
    // The stand-in's limiter runs on this clock: stopped, every call below falls in the same second.
    let now = 0;
    beforeAll(async () => {
      standin = await startSfuStandin({ now: () => now });
    });
    afterAll(async () => {
      await standin?.stop();
    });

    it('serves 50 calls to a session in one second and answers the 51st with HTTP 429 and {errorCode, errorDescription}; other sessions are unaffected ("no ratelimit on a App basis, just sessions")', async () => {
      const api = new RealtimeApi(standin);
      const busy = (await api.newSession()).body.sessionId as string;
      const other = (await api.newSession()).body.sessionId as string;
      for (let i = 0; i < REQUESTS_PER_SECOND; i++) expect((await api.getSession(busy)).status).toBe(200);
      const refused = await api.getSession(busy);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ errorCode: "rate_limited", errorDescription: expect.stringMatching(/\S/) });
      expect((await api.getSession(other)).status).toBe(200);
      now += 1_000;
      expect((await api.getSession(busy)).status, "a second later the session is served again").toBe(200);
    });
  });
});

describe("forwarding", () => {
  let standin: SfuStandin;
  let api: RealtimeApi;
  beforeAll(async () => {
    standin = await startSfuStandin();
    api = new RealtimeApi(standin);
  });
  afterAll(async () => {
    await standin?.stop();
  });

  /** Packets on `mid` now, and again after the publisher has sent ~25 more: equal means forwarding stopped. */
  async function receivedAcrossAPause(subscriber: Endpoint, mid: string): Promise<[number, number]> {
    await delay(300); // lets packets already in flight on loopback land
    const before = subscriber.received.get(mid) ?? 0;
    await delay(500);
    return [before, subscriber.received.get(mid) ?? 0];
  }

  it('stops forwarding to every subscriber when the publisher closes its track ("PUT .../tracks/close")', async () => {
    const publisher = await endpoint(api);
    const mid = await publisher.publish("camera");
    const subscriber = await endpoint(api);
    const [pulledMid = ""] = await subscriber.pull([{ sessionId: publisher.sessionId, trackName: "camera" }]);
    await until("forwarded packets", () => (subscriber.received.get(pulledMid) ?? 0) > 10);
    const [flowingBefore, flowingAfter] = await receivedAcrossAPause(subscriber, pulledMid);
    expect(flowingAfter, "packets flow while the track is open").toBeGreaterThan(flowingBefore);

    const closed = await api.closeTracks(publisher.sessionId, { tracks: [{ mid }], force: true });
    expect(closed.status).toBe(200);
    const [before, after] = await receivedAcrossAPause(subscriber, pulledMid);
    expect(after, "no packet forwarded after the close").toBe(before);
  });

  it("stops forwarding to a subscriber that closes its pulled track, and only to it", async () => {
    const publisher = await endpoint(api);
    await publisher.publish("camera");
    const leaving = await endpoint(api);
    const staying = await endpoint(api);
    const [leavingMid = ""] = await leaving.pull([{ sessionId: publisher.sessionId, trackName: "camera" }]);
    const [stayingMid = ""] = await staying.pull([{ sessionId: publisher.sessionId, trackName: "camera" }]);
    await until(
      "packets to both",
      () => (leaving.received.get(leavingMid) ?? 0) > 5 && (staying.received.get(stayingMid) ?? 0) > 5,
    );

    const closed = await api.closeTracks(leaving.sessionId, { tracks: [{ mid: leavingMid }], force: true });
    expect(closed.status).toBe(200);
    const [before, after] = await receivedAcrossAPause(leaving, leavingMid);
    expect(after).toBe(before);
    const [stayBefore, stayAfter] = await receivedAcrossAPause(staying, stayingMid);
    expect(stayAfter).toBeGreaterThan(stayBefore);
  });
});

describe("inactivity", () => {
  let standin: SfuStandin;
  let api: RealtimeApi;
  beforeAll(async () => {
    standin = await startSfuStandin({ trackTimeoutMs: SHORT_TRACK_TIMEOUT_MS });
    api = new RealtimeApi(standin);
  });
  afterAll(async () => {
    await standin?.stop();
  });

  it(`drops a published track that sends no media for the timeout; a track with media stays (${LIMITS_PAGE} "Inactivity Timeout")`, async () => {
    const talking = await endpoint(api);
    await talking.publish("talking");
    // Its media must be flowing before the silent track's clock starts, or a slow start would look like silence.
    await until(
      "the talking track's media",
      () => (standin.server.registry.find(talking.sessionId, "talking")?.receivedPackets ?? 0) > 0,
    );
    const silent = await endpoint(api);
    await silent.publish("silent", { sendMedia: false });
    const subscriber = await endpoint(api);

    await until("the silent track to be dropped", async () => {
      const state = await api.getSession(silent.sessionId);
      return state.body.tracks[0]?.status === "inactive";
    });
    const pull = await api.newTracks(subscriber.sessionId, {
      tracks: [
        { location: "remote", sessionId: silent.sessionId, trackName: "silent" },
        { location: "remote", sessionId: talking.sessionId, trackName: "talking" },
      ],
    });
    expect(pull.status).toBe(200);
    const [silentResult, talkingResult] = pull.body.tracks;
    expect(silentResult.errorCode, "the dropped track can no longer be pulled").toEqual(expect.stringMatching(/\S/));
    expect(talkingResult.errorCode, "the track with media is still there").toBeUndefined();
    expect((await api.getSession(talking.sessionId)).body.tracks[0].status).toBe("active");
  });
});
