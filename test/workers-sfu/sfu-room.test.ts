/**
 * SFU mode's server side: the Room in workerd makes real requests to the local Cloudflare
 * Realtime stand-in (started by the project's global set-up) for its admitted members, with
 * real offers and answers made by werift peers standing where browsers would.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { ServerMessage } from "../../common/protocol";
import { RoomClient, randomRoom } from "../workers/support/room-client";
import { acceptAnswer, answerTo, offerFrom, sfuCalls, sfuKeys, sfuRecordOf, sfuSession, until } from "./support/sfu";

/** Every client these tests open, so that afterEach can read everything they received. */
const opened: RoomClient[] = [];
async function join(room: string, name: string): Promise<RoomClient> {
  const { client } = await RoomClient.join(room, name);
  opened.push(client);
  return client;
}

afterEach(() => {
  // No message a browser receives ever carries the app secret (or the Authorization header).
  const secret = env.REALTIME_APP_SECRET ?? "";
  expect(secret.length).toBeGreaterThan(16);
  for (const client of opened.splice(0)) {
    for (const message of client.received) {
      const text = JSON.stringify(message);
      expect(text).not.toContain(secret);
      expect(text).not.toContain("Bearer");
    }
  }
});

/** Alice publishes audio and video (real offer → the SFU's real answer); Bob hears about it. */
async function publishingRoom() {
  const room = randomRoom();
  const alice = await join(room, "Alice");
  const bob = await join(room, "Bob");
  await alice.next("peer-joined");
  const offer = await offerFrom(["audio", "video"]);
  const tracks = [
    { mid: offer.mids[0]!, trackName: "mic" },
    { mid: offer.mids[1]!, trackName: "cam" },
  ];
  alice.send({ type: "sfu-publish", offer: offer.sdp, tracks });
  const published = await alice.next("sfu-published");
  return { room, alice, bob, offer, tracks, published };
}

describe("SFU mode: publishing and pulling", () => {
  it("gives an admitted member the SFU's answer to its offer, and tells the others what it publishes", async () => {
    const { room, alice, bob, offer, tracks, published } = await publishingRoom();
    expect(published.tracks).toEqual(tracks);
    expect(published.answer).toMatch(/^v=0\r\n/);
    // The answer is the SFU's real answer: the offering peer connection takes it.
    await acceptAnswer(offer.peer, published.answer);
    expect(await bob.next("sfu-tracks")).toEqual({ type: "sfu-tracks", id: alice.id, tracks: ["mic", "cam"] });

    // The room keeps Alice's session; the SFU itself holds her two tracks.
    const record = await sfuRecordOf(room, alice.id);
    expect(record?.published).toEqual(tracks);
    const session = await sfuSession(record!.sessionId);
    expect(session.tracks.map((t) => [t.location, t.trackName, t.status])).toEqual([
      ["local", "mic", "active"],
      ["local", "cam", "active"],
    ]);
    await alice.expectNothingPending();
  });

  it("gives a member who pulls another's tracks the SFU's offer, and takes its answer", async () => {
    const { room, alice, bob } = await publishingRoom();
    await bob.next("sfu-tracks");
    bob.send({ type: "sfu-pull", from: alice.id, tracks: ["cam", "mic"] });
    const pulled = await bob.next("sfu-pulled");
    expect(pulled.offer).toMatch(/^v=0\r\n/);
    expect(pulled.tracks.map((t) => [t.from, t.trackName])).toEqual([
      [alice.id, "cam"],
      [alice.id, "mic"],
    ]);
    const answer = await answerTo(pulled.offer ?? "");
    bob.send({ type: "sfu-renegotiate", answer: answer.sdp });
    expect(await bob.next("sfu-renegotiated")).toEqual({ type: "sfu-renegotiated" });

    const record = await sfuRecordOf(room, bob.id);
    const session = await sfuSession(record!.sessionId);
    expect(session.tracks.map((t) => [t.location, t.mid, t.trackName])).toEqual(
      pulled.tracks.map((t) => ["remote", t.mid, t.trackName]),
    );
  });

  it("changes the simulcast layer of a pulled track through the SFU's tracks/update, and refuses a mid not pulled", async () => {
    const { alice, bob } = await publishingRoom();
    await bob.next("sfu-tracks");
    bob.send({ type: "sfu-pull", from: alice.id, tracks: ["cam"] });
    const pulled = await bob.next("sfu-pulled");
    bob.send({ type: "sfu-renegotiate", answer: (await answerTo(pulled.offer ?? "")).sdp });
    await bob.next("sfu-renegotiated");
    const mid = pulled.tracks[0]!.mid;

    const before = await sfuCalls();
    bob.send({ type: "sfu-layer", mid, layer: "h" });
    expect(await bob.next("sfu-layer-set")).toEqual({ type: "sfu-layer-set", mid, layer: "h" });
    expect(await sfuCalls()).toBe(before + 1);

    for (const [message, code] of [
      [{ type: "sfu-layer", mid: "99", layer: "h" }, "unknown-track"],
      [{ type: "sfu-layer", mid, layer: "not a rid" }, "bad-message"],
    ] as const) {
      bob.send(message);
      expect(await bob.next("error"), JSON.stringify(message)).toMatchObject({ code });
    }
    alice.send({ type: "sfu-layer", mid, layer: "h" });
    expect(await alice.next("error")).toMatchObject({ code: "unknown-track" });
    expect(await sfuCalls()).toBe(before + 1);
  });

  it("tells a newcomer, after its welcome, who publishes which tracks", async () => {
    const { room, alice } = await publishingRoom();
    const { client: carol } = await RoomClient.join(room, "Carol");
    opened.push(carol);
    expect(await carol.next("sfu-tracks")).toEqual({ type: "sfu-tracks", id: alice.id, tracks: ["mic", "cam"] });
  });

  it("closes a member's tracks on request, and tells the others what it still publishes", async () => {
    const { room, alice, bob, tracks } = await publishingRoom();
    await bob.next("sfu-tracks");
    alice.send({ type: "sfu-close", mids: [tracks[1]!.mid] });
    expect(await alice.next("sfu-closed")).toEqual({ type: "sfu-closed", mids: [tracks[1]!.mid] });
    expect(await bob.next("sfu-tracks")).toEqual({ type: "sfu-tracks", id: alice.id, tracks: ["mic"] });
    const record = await sfuRecordOf(room, alice.id);
    expect((await sfuSession(record!.sessionId)).tracks.map((t) => t.trackName)).toEqual(["mic"]);
  });

  it("passes the SFU's refusals on as clear errors: a whole request, or single tracks", async () => {
    const { room, alice, bob } = await publishingRoom();
    await bob.next("sfu-tracks");
    // An answer when the SFU has no offer out: the SFU refuses the whole request (HTTP 400).
    alice.send({ type: "sfu-renegotiate", answer: (await answerTo((await offerFrom(["audio"])).sdp)).sdp });
    const refused = await alice.next("error");
    expect(refused.code).toBe("sfu-failed");
    expect(refused.message).toMatch(/^The SFU refused: invalid_state: renegotiate takes an answer/);

    // A track on a mid the offer does not have: the SFU answers, and refuses that track alone.
    const offer = await offerFrom(["audio"]);
    bob.send({ type: "sfu-publish", offer: offer.sdp, tracks: [{ mid: "7", trackName: "screen" }] });
    expect(await bob.next("sfu-published")).toMatchObject({ tracks: [] });
    const partly = await bob.next("error");
    expect(partly).toMatchObject({ code: "sfu-failed" });
    expect(partly.message).toMatch(/^The SFU refused every track: screen: not_found: /);
    // The room keeps only what the SFU took, and nobody hears of a track that was refused.
    expect((await sfuRecordOf(room, bob.id))?.published).toEqual([]);
    await alice.expectNothingPending();
  });
});

describe("SFU mode: who may ask", () => {
  it("refuses sockets that are not in the call, and knockers, before anything is called", async () => {
    const room = randomRoom();
    const alice = await join(room, "Alice");
    const offer = await offerFrom(["audio"]);
    const publish = { type: "sfu-publish", offer: offer.sdp, tracks: [{ mid: offer.mids[0], trackName: "mic" }] };
    const before = await sfuCalls();

    const stranger = await RoomClient.connect(room);
    opened.push(stranger);
    stranger.send(publish);
    expect(await stranger.next("error")).toMatchObject({ code: "not-joined" });

    alice.send({ type: "lock", key: "correct horse" });
    await alice.next("locked");
    const knocker = await RoomClient.connect(room);
    opened.push(knocker);
    knocker.send({ type: "join", name: "Knocker" });
    await knocker.next("denied");
    knocker.send({ type: "knock", name: "Knocker" });
    await knocker.next("knock-sent");
    await alice.next("knocking");
    for (const message of [publish, { type: "sfu-pull", from: alice.id, tracks: ["mic"] }]) {
      knocker.send(message);
      expect(await knocker.next("error")).toMatchObject({ code: "not-joined" });
    }
    expect(await sfuCalls()).toBe(before);
    expect(await sfuKeys(room)).toEqual([]);
  });

  it("refuses pulls of someone not in the room, of oneself, or of tracks not published, calling nothing", async () => {
    const { room, alice, bob } = await publishingRoom();
    await bob.next("sfu-tracks");
    const before = await sfuCalls();
    const cases: [unknown, string][] = [
      [{ type: "sfu-pull", from: "0".repeat(32), tracks: ["mic"] }, "unknown-peer"],
      [{ type: "sfu-pull", from: bob.id, tracks: ["mic"] }, "unknown-peer"],
      [{ type: "sfu-pull", from: alice.id, tracks: ["screen"] }, "unknown-track"],
      [{ type: "sfu-pull", from: alice.id, tracks: ["mic", "mic"] }, "too-many-tracks"],
    ];
    for (const [message, code] of cases) {
      bob.send(message);
      expect(await bob.next("error"), JSON.stringify(message)).toMatchObject({ code });
    }
    expect(await sfuCalls()).toBe(before);
    expect(await sfuRecordOf(room, bob.id)).toBeUndefined();
  });

  it("refuses bad input with a specific error and changes nothing", async () => {
    const room = randomRoom();
    const alice = await join(room, "Alice");
    const offer = await offerFrom(["audio", "video"]);
    const before = await sfuCalls();
    const nine = Array.from({ length: 9 }, (_, i) => ({ mid: String(i), trackName: `t${i}` }));
    const cases: [unknown, string][] = [
      [{ type: "sfu-publish", offer: offer.sdp, tracks: [{ mid: "0 1", trackName: "mic" }] }, "bad-message"],
      [{ type: "sfu-publish", offer: offer.sdp, tracks: [{ mid: "0", trackName: "mic/../x" }] }, "bad-message"],
      [{ type: "sfu-publish", offer: offer.sdp, tracks: nine }, "bad-message"],
      [{ type: "sfu-publish", offer: "", tracks: [{ mid: "0", trackName: "mic" }] }, "bad-message"],
      [{ type: "sfu-publish", offer: offer.sdp, tracks: [] }, "bad-message"],
      [
        {
          type: "sfu-publish",
          offer: offer.sdp,
          tracks: [
            { mid: "0", trackName: "same" },
            { mid: "1", trackName: "same" },
          ],
        },
        "too-many-tracks",
      ],
      [
        { type: "sfu-publish", offer: offer.sdp, tracks: [{ mid: "0", trackName: "mic" }], sessionId: "x" },
        "bad-message",
      ],
      [{ type: "sfu-renegotiate", answer: "v=0" }, "sfu-no-session"],
      [{ type: "sfu-close", mids: ["0"] }, "sfu-no-session"],
    ];
    for (const [message, code] of cases) {
      alice.send(message);
      expect(await alice.next("error"), JSON.stringify(message)).toMatchObject({ code });
    }
    expect(await sfuCalls()).toBe(before);
    expect(await sfuKeys(room)).toEqual([]);
  });

  it("takes one SFU request at a time from a member", async () => {
    const room = randomRoom();
    const alice = await join(room, "Alice");
    const offer = await offerFrom(["audio"]);
    const publish = { type: "sfu-publish", offer: offer.sdp, tracks: [{ mid: offer.mids[0], trackName: "mic" }] };
    alice.send(publish);
    alice.send(publish);
    // The second arrives while the first is out: refused at once, before the first's answer.
    expect(await alice.next("error")).toMatchObject({ code: "sfu-busy" });
    expect(await alice.next("sfu-published")).toMatchObject({ tracks: [{ trackName: "mic" }] });
  });
});

describe("SFU mode: leaving", () => {
  async function pullingRoom() {
    const setup = await publishingRoom();
    const { alice, bob } = setup;
    await bob.next("sfu-tracks");
    bob.send({ type: "sfu-pull", from: alice.id, tracks: ["mic"] });
    await bob.next("sfu-pulled");
    return setup;
  }

  it("closes a removed member's SFU session, and forgets it", async () => {
    const { room, alice, bob } = await pullingRoom();
    const { sessionId } = (await sfuRecordOf(room, alice.id))!;
    expect((await sfuSession(sessionId)).tracks).toHaveLength(2);
    bob.send({ type: "kick", id: alice.id });
    expect(await alice.next("removed")).toMatchObject({ byId: bob.id });
    await until("the SFU to close the removed member's tracks", async () => {
      return (await sfuSession(sessionId)).tracks.length === 0;
    });
    expect(await sfuRecordOf(room, alice.id)).toBeUndefined();
    // Bob's session (he pulled from Alice) is his own, and stays.
    expect(await sfuRecordOf(room, bob.id)).toBeDefined();
  });

  it("closes the SFU session of a member who leaves", async () => {
    const { room, alice, bob } = await pullingRoom();
    const { sessionId } = (await sfuRecordOf(room, bob.id))!;
    expect((await sfuSession(sessionId)).tracks).toHaveLength(1);
    bob.close();
    expect(await alice.next("peer-left")).toEqual({ type: "peer-left", id: bob.id });
    await until("the SFU to close the leaver's tracks", async () => (await sfuSession(sessionId)).tracks.length === 0);
    expect(await sfuRecordOf(room, bob.id)).toBeUndefined();
  });

  it("undoes a request whose member left before the SFU answered", async () => {
    const room = randomRoom();
    const alice = await join(room, "Alice");
    await join(room, "Bob");
    await alice.next("peer-joined");
    const offer = await offerFrom(["audio"]);
    alice.send({ type: "sfu-publish", offer: offer.sdp, tracks: [{ mid: offer.mids[0], trackName: "mic" }] });
    alice.close();
    // Whatever the order, the room ends with no session for Alice, and the SFU with no track of hers.
    await until("the room to forget Alice's session", async () => (await sfuKeys(room)).length === 0);
    const messages: ServerMessage[] = alice.received;
    expect(messages.some((m) => m.type === "sfu-published")).toBe(false);
  });
});
