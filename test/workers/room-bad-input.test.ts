import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_BYTES } from "../../common/protocol";
import { offer, RoomClient, randomRoom } from "./support/room-client";

/** Two honest peers in a fresh room, plus a third socket that misbehaves. */
async function roomWithHonestPeers() {
  const room = randomRoom();
  const { client: ada } = await RoomClient.join(room, "Ada");
  const { client: bo } = await RoomClient.join(room, "Bo");
  await ada.next("peer-joined");
  return { room, ada, bo };
}

async function expectHonestPeersStillTalk(ada: RoomClient, bo: RoomClient) {
  ada.signal(bo.id, offer);
  expect(await bo.next("signal")).toEqual({ type: "signal", from: ada.id, data: offer });
  await ada.expectNothingPending();
}

const cases: { what: string; send: (peerId: string) => string; code: string; mentions?: string }[] = [
  { what: "not JSON", send: () => "{nope", code: "bad-json" },
  { what: "a JSON array", send: () => "[1,2]", code: "bad-message" },
  { what: "a JSON string", send: () => '"join"', code: "bad-message" },
  { what: "null", send: () => "null", code: "bad-message" },
  { what: "no type", send: () => JSON.stringify({ name: "x" }), code: "bad-message" },
  { what: "a numeric type", send: () => JSON.stringify({ type: 7 }), code: "bad-message" },
  { what: "an unknown type", send: () => JSON.stringify({ type: "shout" }), code: "unknown-type" },
  { what: "prototype keys", send: () => '{"type":"__proto__"}', code: "unknown-type" },
  {
    what: "a join without a name",
    send: () => JSON.stringify({ type: "join" }),
    code: "bad-message",
    mentions: "name",
  },
  {
    what: "a join with a numeric name",
    send: () => JSON.stringify({ type: "join", name: 5 }),
    code: "bad-message",
    mentions: "name",
  },
  {
    what: "a join with an empty name",
    send: () => JSON.stringify({ type: "join", name: "   " }),
    code: "bad-message",
    mentions: "name",
  },
  {
    what: "a join with a control character",
    send: () => JSON.stringify({ type: "join", name: "a\u0007b" }),
    code: "bad-message",
    mentions: "control",
  },
  {
    what: "a join with an overlong name",
    send: () => JSON.stringify({ type: "join", name: "x".repeat(65) }),
    code: "bad-message",
    mentions: "name",
  },
  {
    what: "a join with an extra field",
    send: () => JSON.stringify({ type: "join", name: "x", admin: true }),
    code: "bad-message",
    mentions: "admin",
  },
  {
    what: "a signal before joining",
    send: (peer) => JSON.stringify({ type: "signal", to: peer, data: offer }),
    code: "not-joined",
  },
  {
    what: "a signal without a target",
    send: () => JSON.stringify({ type: "signal", data: offer }),
    code: "bad-message",
    mentions: "to",
  },
  {
    what: "a signal with a malformed target",
    send: () => JSON.stringify({ type: "signal", to: "../../etc", data: offer }),
    code: "bad-message",
    mentions: "to",
  },
  {
    what: "a signal with arbitrary data",
    send: (peer) => JSON.stringify({ type: "signal", to: peer, data: { evil: "<script>" } }),
    code: "bad-message",
  },
  {
    what: "a signal with an unknown SDP type",
    send: (peer) => JSON.stringify({ type: "signal", to: peer, data: { description: { type: "hack", sdp: "" } } }),
    code: "bad-message",
  },
];

describe("malformed input", () => {
  for (const c of cases) {
    it(`answers ${c.what} with error ${c.code}, to the sender only`, async () => {
      const { room, ada, bo } = await roomWithHonestPeers();
      const mallory = await RoomClient.connect(room);
      mallory.send(c.send(ada.id));
      const error = await mallory.next("error");
      expect(error.code).toBe(c.code);
      expect(error.message.length).toBeGreaterThan(0);
      if (c.mentions) expect(error.message).toContain(c.mentions);
      // The socket stays open and can still join normally afterwards.
      mallory.send({ type: "join", name: "Mallory" });
      expect((await mallory.next("welcome")).peers.map((p) => p.name)).toEqual(["Ada", "Bo"]);
      await ada.next("peer-joined");
      await bo.next("peer-joined");
      await expectHonestPeersStillTalk(ada, bo);
    });
  }

  it("refuses a second join on the same socket", async () => {
    const { ada, bo } = await roomWithHonestPeers();
    ada.send({ type: "join", name: "Ada again" });
    expect(await ada.next("error")).toMatchObject({ code: "already-joined" });
    await bo.expectNothingPending();
  });

  it("answers a binary frame with an error", async () => {
    const { room, ada, bo } = await roomWithHonestPeers();
    const mallory = await RoomClient.connect(room);
    mallory.ws.send(new Uint8Array([1, 2, 3]));
    expect(await mallory.next("error")).toMatchObject({ code: "binary-unsupported" });
    await expectHonestPeersStillTalk(ada, bo);
  });

  it("closes a socket that sends more than 64 KiB with 1009, and the room goes on", async () => {
    const { room, ada, bo } = await roomWithHonestPeers();
    const { client: mallory } = await RoomClient.join(room, "Mallory");
    await ada.next("peer-joined");
    await bo.next("peer-joined");

    mallory.send({ type: "join", name: "x".repeat(MAX_MESSAGE_BYTES) });
    const closed = await mallory.waitForClose();
    expect(closed.code).toBe(1009);
    expect(closed.reason).toContain("too big");
    expect(await ada.next("peer-left")).toEqual({ type: "peer-left", id: mallory.id });
    expect(await bo.next("peer-left")).toEqual({ type: "peer-left", id: mallory.id });
    await expectHonestPeersStillTalk(ada, bo);
  });

  it("counts the cap in UTF-8 bytes, not characters", async () => {
    const { room } = await roomWithHonestPeers();
    const mallory = await RoomClient.connect(room);
    // 22,000 three-byte characters: under 64 Ki characters, over 64 KiB on the wire.
    mallory.send(JSON.stringify({ type: "join", name: "€".repeat(22_000) }));
    expect((await mallory.waitForClose()).code).toBe(1009);
  });

  it("accepts a message just under the cap", async () => {
    const { ada, bo } = await roomWithHonestPeers();
    const sdp = "a".repeat(60 * 1024 - 100);
    ada.signal(bo.id, { description: { type: "offer", sdp } });
    expect((await bo.next("signal")).data).toEqual({ description: { type: "offer", sdp } });
  });
});
