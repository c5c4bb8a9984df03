/**
 * Without REALTIME_APP_ID and REALTIME_APP_SECRET (this project's Worker has neither) SFU mode
 * is unavailable: a member's sfu-* messages are refused, and the room stays exactly as it was.
 * And the Realtime client's configuration and its one place for the app secret.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RealtimeApi, RealtimeError, realtimeConfig } from "../../durable-objects/realtime-api";
import { DEFAULT_MAX_PEERS } from "../../durable-objects/room-rules/limits";
import { RoomClient, randomRoom, roomStub } from "./support/room-client";

describe("a room without an SFU configured", () => {
  it("refuses every sfu-* message of a member with sfu-unavailable, and of anyone else with not-joined", async () => {
    const room = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    await ada.next("peer-joined");
    const messages = [
      { type: "sfu-publish", offer: "v=0", tracks: [{ mid: "0", trackName: "mic" }] },
      { type: "sfu-pull", from: bo.id, tracks: ["mic"] },
      { type: "sfu-renegotiate", answer: "v=0" },
      { type: "sfu-close", mids: ["0"] },
      { type: "sfu-layer", mid: "0", layer: "h" },
    ];
    for (const message of messages) {
      ada.send(message);
      expect(await ada.next("error")).toEqual({
        type: "error",
        code: "sfu-unavailable",
        message: "This room has no SFU configured: calls stay peer to peer.",
      });
    }
    const stranger = await RoomClient.connect(room);
    stranger.send(messages[0]);
    expect(await stranger.next("error")).toMatchObject({ code: "not-joined" });
    await bo.expectNothingPending();
    const keys = await runInDurableObject(roomStub(room), async (_room, state) => [
      ...(await state.storage.list()).keys(),
    ]);
    expect(keys.filter((key) => key.startsWith("sfu:"))).toEqual([]);
  });
});

describe("a room without an SFU configured: mesh only, as always", () => {
  it(`never says a word about the call mode, and refuses joiner ${DEFAULT_MAX_PEERS + 1} with full`, async () => {
    const room = randomRoom();
    const inside: RoomClient[] = [];
    for (let n = 0; n < DEFAULT_MAX_PEERS; n++) inside.push((await RoomClient.join(room, `P${n}`)).client);
    const late = await RoomClient.connect(room);
    late.send({ type: "join", name: "Late" });
    expect(await late.next()).toEqual({ type: "denied", reason: "full" });
    // Someone leaves: in a room with the SFU configured this would start the hold back to mesh.
    inside.pop()!.close();
    for (const client of inside) {
      for (let i = 0; i < inside.length - inside.indexOf(client); i++) await client.next("peer-joined");
      await client.next("peer-left");
      await client.expectNothingPending();
    }
    for (const client of [...inside, late]) {
      expect(client.received.filter((m) => m.type === "call-mode")).toEqual([]);
      for (const welcome of client.received.filter((m) => m.type === "welcome"))
        expect(welcome).not.toHaveProperty("mode");
    }
    const keys = await runInDurableObject(roomStub(room), async (_room, state) => [
      ...(await state.storage.list()).keys(),
    ]);
    expect(keys).not.toContain("callMode");
  });
});

describe("the Realtime configuration", () => {
  const base = { REALTIME_APP_ID: "app", REALTIME_APP_SECRET: "s3cret" };

  it("is there only with an app id and a secret, and defaults to Cloudflare's API", () => {
    expect(realtimeConfig({})).toBeNull();
    expect(realtimeConfig({ REALTIME_APP_ID: "app" })).toBeNull();
    expect(realtimeConfig({ REALTIME_APP_SECRET: "s3cret" })).toBeNull();
    expect(realtimeConfig(base)).toEqual({
      ...{ appId: "app", appSecret: "s3cret" },
      apiBase: "https://rtc.live.cloudflare.com/v1",
    });
  });

  it("never sends the secret in the clear except to this machine's loopback (the local stand-in)", () => {
    const at = (REALTIME_API_BASE: string) => realtimeConfig({ ...base, REALTIME_API_BASE })?.apiBase ?? null;
    expect(at("http://127.0.0.1:8788/v1/")).toBe("http://127.0.0.1:8788/v1");
    expect(at("http://localhost:8788/v1")).toBe("http://localhost:8788/v1");
    expect(at("http://sfu.example/v1")).toBeNull();
    expect(at("https://user:pw@sfu.example/v1")).toBeNull();
    expect(at("not a url")).toBeNull();
  });
});

describe("the Realtime client", () => {
  const config = { appId: "app", appSecret: "s3cret-value", apiBase: "https://sfu.example/v1" };
  /** Stands in for the network: records each request and answers with `reply`. */
  function api(reply: () => Response) {
    const seen: { url: string; init: RequestInit }[] = [];
    const fetcher = (async (input: string, init: RequestInit) => {
      seen.push({ url: String(input), init });
      return reply();
    }) as typeof fetch;
    return { client: new RealtimeApi(config, fetcher), seen };
  }

  it("puts the app secret in the Authorization header and nowhere else", async () => {
    const { client, seen } = api(() => Response.json({ sessionId: "s1" }, { status: 201 }));
    expect(await client.newSession()).toBe("s1");
    await client.closeTracks("s1", { tracks: [{ mid: "0" }], force: true }).catch(() => {});
    for (const { url, init } of seen) {
      expect(new Headers(init.headers).get("Authorization")).toBe("Bearer s3cret-value");
      expect(url).not.toContain("s3cret");
      expect(String(init.body ?? "")).not.toContain("s3cret");
    }
    expect(seen.map((s) => `${s.init.method} ${s.url}`)).toEqual([
      "POST https://sfu.example/v1/apps/app/sessions/new",
      "PUT https://sfu.example/v1/apps/app/sessions/s1/tracks/close",
    ]);
  });

  it("turns the SFU's error body, a non-JSON failure and an unexpected answer into errors with a reason", async () => {
    const failing = async (reply: () => Response) => {
      const error = await api(reply)
        .client.newSession()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RealtimeError);
      expect((error as Error).message).not.toContain("s3cret");
      return (error as RealtimeError).message;
    };
    expect(
      await failing(() => Response.json({ errorCode: "unauthorized", errorDescription: "no" }, { status: 401 })),
    ).toBe("unauthorized: no");
    expect(await failing(() => new Response("<html>bad gateway</html>", { status: 502 }))).toBe(
      "http-error: the SFU answered HTTP 502",
    );
    expect(await failing(() => Response.json({ session: "x" }))).toBe(
      "bad-answer: the SFU's answer did not have the documented shape",
    );
  });
});
