/**
 * Contract tests: the stand-in's request and response shapes, pinned to Cloudflare Realtime's
 * documentation so that production and stand-in cannot drift silently. Each test names the page
 * and heading it follows. Real WebRTC endpoints (werift) stand where browsers would.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { RealtimeApi } from "./support/api";
import { Endpoint, until } from "./support/endpoint";

const API_PAGE = "https://developers.cloudflare.com/realtime/sfu/api/";
const OPENAPI = "https://developers.cloudflare.com/realtime/static/calls-api-2024-05-21.yaml";
const ERRORS_PAGE = "https://developers.cloudflare.com/realtime/sfu/observability/error-codes/";
const SIMULCAST_PAGE = "https://developers.cloudflare.com/realtime/sfu/features/simulcast/";

let standin: SfuStandin;
let api: RealtimeApi;
const endpoints: Endpoint[] = [];
async function endpoint(): Promise<Endpoint> {
  const created = await Endpoint.create(api);
  endpoints.push(created);
  return created;
}

beforeAll(async () => {
  standin = await startSfuStandin();
  api = new RealtimeApi(standin);
});
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});
afterAll(async () => {
  await standin?.stop();
});

/** `{errorCode, errorDescription}`, both non-empty strings, and nothing pretending to be a result. */
function expectErrorShape(body: unknown, errorCode: string): void {
  expect(body).toEqual({ errorCode, errorDescription: expect.stringMatching(/\S/) });
}

describe("sessions/new", () => {
  it(`answers a sessionId and no description when sent no body (${API_PAGE} "Session and track operations"; sessions-and-tracks page "Session setup")`, async () => {
    const created = await api.newSession();
    // 201 Created: what clients written against production check for (tracks/new and renegotiate answer 200).
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ sessionId: expect.stringMatching(/\S/) });
  });

  it(`answers an offer with a complete answer (${OPENAPI} "/apps/{appId}/sessions/new" requestBody sessionDescription)`, async () => {
    const client = new Endpoint(api, "unused");
    endpoints.push(client);
    const { sdp } = await client.offerTrack("video");
    const created = await api.newSession({ sessionDescription: { type: "offer", sdp } });
    expect(created.body).toEqual({
      sessionId: expect.any(String),
      sessionDescription: { type: "answer", sdp: expect.stringContaining("a=fingerprint:") },
    });
    // No trickle ICE: the answer carries its candidates.
    expect(created.body.sessionDescription.sdp).toContain("a=candidate:");
  });
});

describe("tracks/new", () => {
  it(`publishes local tracks: an offer and {location:"local", mid, trackName} give an answer and the tracks (${API_PAGE} "Session and track operations", row "Publish or subscribe to tracks")`, async () => {
    const publisher = await endpoint();
    const { mid, sdp } = await publisher.offerTrack("video");
    const published = await api.newTracks(publisher.sessionId, {
      sessionDescription: { type: "offer", sdp },
      tracks: [{ location: "local", mid, trackName: "camera" }],
    });
    expect(published.status).toBe(200);
    expect(published.body).toEqual({
      requiresImmediateRenegotiation: false,
      sessionDescription: { type: "answer", sdp: expect.stringContaining(`a=mid:${mid}`) },
      tracks: [{ location: "local", mid, trackName: "camera" }],
    });
  });

  it(`pulls remote tracks with an SFU offer and requiresImmediateRenegotiation, completed by an answer to renegotiate (negotiation page "Offer and answer")`, async () => {
    const publisher = await endpoint();
    await publisher.publish("camera");
    const subscriber = await endpoint();
    const pulled = await api.newTracks(subscriber.sessionId, {
      tracks: [{ location: "remote", sessionId: publisher.sessionId, trackName: "camera" }],
    });
    expect(pulled.status).toBe(200);
    expect(pulled.body).toEqual({
      requiresImmediateRenegotiation: true,
      sessionDescription: { type: "offer", sdp: expect.stringContaining("a=sendonly") },
      tracks: [{ location: "remote", sessionId: publisher.sessionId, trackName: "camera", mid: expect.any(String) }],
    });
    await subscriber.answerSfuOffer(pulled.body.sessionDescription);
    const mid = pulled.body.tracks[0].mid as string;
    await until("forwarded packets", () => (subscriber.received.get(mid) ?? 0) > 0);
  });

  it(`pulls several tracks (audio and video, from two publishers) in one call, each on its own mid (${API_PAGE} "Session and track operations")`, async () => {
    const voice = await endpoint();
    await voice.publish("mic", { kind: "audio" });
    const camera = await endpoint();
    await camera.publish("camera");
    const subscriber = await endpoint();
    const mids = await subscriber.pull([
      { sessionId: voice.sessionId, trackName: "mic" },
      { sessionId: camera.sessionId, trackName: "camera" },
    ]);
    expect(new Set(mids).size).toBe(2);
    expect(subscriber.pc.getTransceivers().map((t) => [t.mid, t.kind])).toEqual([
      [mids[0], "audio"],
      [mids[1], "video"],
    ]);
    await until("packets on both mids", () => mids.every((mid) => (subscriber.received.get(mid) ?? 0) > 0));
  });

  it(`pulls with a simulcast preference, echoed in the track's result (${SIMULCAST_PAGE} "Subscribe to a simulcast track")`, async () => {
    const publisher = await endpoint();
    await publisher.publish("camera");
    const subscriber = await endpoint();
    const simulcast = { preferredRid: "f", priorityOrdering: "asciibetical", ridNotAvailable: "asciibetical" };
    const pulled = await api.newTracks(subscriber.sessionId, {
      tracks: [{ location: "remote", sessionId: publisher.sessionId, trackName: "camera", simulcast }],
    });
    expect(pulled.status).toBe(200);
    expect(pulled.body.tracks).toEqual([
      { location: "remote", sessionId: publisher.sessionId, trackName: "camera", mid: expect.any(String), simulcast },
    ]);
    // A publisher without simulcast sends one layer: the subscriber gets it whatever it prefers.
    await subscriber.answerSfuOffer(pulled.body.sessionDescription);
    const mid = pulled.body.tracks[0].mid as string;
    await until("forwarded packets", () => (subscriber.received.get(mid) ?? 0) > 0);
  });

  it(`changes a pulled track's layer with PUT tracks/update by its receiving mid, without renegotiation (${SIMULCAST_PAGE} "Change the received layer"; ${OPENAPI} UpdateTracksResponse)`, async () => {
    const publisher = await endpoint();
    await publisher.publish("camera");
    const subscriber = await endpoint();
    const [mid] = await subscriber.pull([{ sessionId: publisher.sessionId, trackName: "camera" }]);
    const track = { location: "remote", sessionId: publisher.sessionId, trackName: "camera", mid };
    const simulcast = { preferredRid: "h" };
    const updated = await api.updateTracks(subscriber.sessionId, { tracks: [{ ...track, simulcast }] });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ requiresImmediateRenegotiation: false, tracks: [{ ...track, simulcast }] });
    // A mid this session does not pull fails in its item; a body without `simulcast` is not the documented one.
    const unknown = await api.updateTracks(subscriber.sessionId, { tracks: [{ ...track, mid: "99", simulcast }] });
    expect(unknown.status).toBe(200);
    expect(unknown.body.tracks).toEqual([
      { ...track, mid: "99", errorCode: expect.stringMatching(/\S/), errorDescription: expect.stringMatching(/\S/) },
    ]);
    const malformed = await api.updateTracks(subscriber.sessionId, { tracks: [track] });
    expect(malformed.status).toBe(400);
    expectErrorShape(malformed.body, "decoding_error");
  });

  it(`answers HTTP 200 with the failure inside the item when a pulled track does not exist (${ERRORS_PAGE} "Read the response")`, async () => {
    const subscriber = await endpoint();
    const pulled = await api.newTracks(subscriber.sessionId, {
      tracks: [{ location: "remote", sessionId: subscriber.sessionId, trackName: "nobody-publishes-this" }],
    });
    expect(pulled.status).toBe(200);
    expect(pulled.body.requiresImmediateRenegotiation).toBe(false);
    expect(pulled.body.tracks).toEqual([
      {
        location: "remote",
        sessionId: subscriber.sessionId,
        trackName: "nobody-publishes-this",
        errorCode: expect.stringMatching(/\S/),
        errorDescription: expect.stringMatching(/\S/),
      },
    ]);
  });

  it(`refuses more than 64 tracks in one call ("Tracks per API Call", https://developers.cloudflare.com/realtime/sfu/limits/ "Limits")`, async () => {
    const subscriber = await endpoint();
    const tracks = Array.from({ length: 65 }, (_, i) => ({ location: "remote", sessionId: "x", trackName: `t${i}` }));
    const refused = await api.newTracks(subscriber.sessionId, { tracks });
    expect(refused.status).toBe(400);
    expectErrorShape(refused.body, "decoding_error");
    const allowed = await api.newTracks(subscriber.sessionId, { tracks: tracks.slice(0, 64) });
    expect(allowed.status).toBe(200);
    expect(allowed.body.tracks).toHaveLength(64);
  });
});

describe("renegotiate and tracks/close", () => {
  it(`refuses an answer when no SFU offer is pending, with the error shape (${ERRORS_PAGE} "Read the response")`, async () => {
    const subscriber = await endpoint();
    const refused = await api.renegotiate(subscriber.sessionId, { sessionDescription: { type: "answer", sdp: "v=0" } });
    expect(refused.status).toBe(400);
    expectErrorShape(refused.body, "invalid_state");
  });

  it(`closes tracks by mid: force needs no renegotiation; a mid that is not open fails in its item (${OPENAPI} "/apps/{appId}/sessions/{sessionId}/tracks/close")`, async () => {
    const publisher = await endpoint();
    const mid = await publisher.publish("camera");
    const closed = await api.closeTracks(publisher.sessionId, { tracks: [{ mid }, { mid: "99" }], force: true });
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({
      requiresImmediateRenegotiation: false,
      tracks: [{ mid }, { mid: "99", errorCode: expect.any(String), errorDescription: expect.any(String) }],
    });
  });

  it(`closing a pulled track without force returns an SFU offer to answer (negotiation page "Offer and answer")`, async () => {
    const publisher = await endpoint();
    await publisher.publish("camera");
    const subscriber = await endpoint();
    const [mid] = await subscriber.pull([{ sessionId: publisher.sessionId, trackName: "camera" }]);
    const closed = await api.closeTracks(subscriber.sessionId, { tracks: [{ mid }] });
    expect(closed.body).toEqual({
      requiresImmediateRenegotiation: true,
      sessionDescription: { type: "offer", sdp: expect.stringContaining("a=inactive") },
      tracks: [{ mid }],
    });
    await subscriber.answerSfuOffer(closed.body.sessionDescription);
  });
});

describe("GET sessions/{id}", () => {
  it(`lists the session's tracks with location, mid, trackName and status, beside dataChannels (${API_PAGE} "Session and track operations"; ${OPENAPI} GetSessionStateResponse)`, async () => {
    const publisher = await endpoint();
    const mid = await publisher.publish("camera");
    const state = await api.getSession(publisher.sessionId);
    expect(state.status).toBe(200);
    expect(state.body).toEqual({
      tracks: [{ location: "local", mid, trackName: "camera", status: "active" }],
      dataChannels: [],
    });
  });
});

describe("errors", () => {
  it(`refuses a missing or wrong App Secret, or another app's id, with errorCode "unauthorized" (${ERRORS_PAGE} "Request errors")`, async () => {
    const created = await api.newSession();
    for (const attempt of [
      await api.withSecret(null).newSession(),
      await api.withSecret("not-the-secret").newSession(),
      await api.withSecret("not-the-secret").getSession(created.body.sessionId),
      await new RealtimeApi(standin, standin.appSecret, "another-app").newSession(),
    ]) {
      expect(attempt.status).toBe(401);
      expectErrorShape(attempt.body, "unauthorized");
    }
  });

  it(`refuses a body that is not the documented JSON with "decoding_error" (the answer quoted in cloudflare/meet issue 168)`, async () => {
    const session = (await api.newSession()).body.sessionId as string;
    for (const body of ["{not json", { tracks: [{ location: "local", trackName: "no-mid" }] }, { tracks: [] }]) {
      const refused = await api.newTracks(session, body);
      expect(refused.status).toBe(400);
      expectErrorShape(refused.body, "decoding_error");
    }
  });

  it(`answers an unknown session with the error shape (${ERRORS_PAGE} "Read the response")`, async () => {
    const missing = await api.getSession("0".repeat(32));
    expect(missing.status).toBe(404);
    expectErrorShape(missing.body, "not_found");
  });
});
