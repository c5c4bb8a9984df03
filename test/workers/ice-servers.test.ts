import { describe, expect, it } from "vitest";
import { type Fetch, iceConfigFor, turnRestCredentials, usesPort53 } from "../../durable-objects/ice-servers";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

/** coturn checks the password as base64(HMAC-SHA1(secret, username)); recompute it independently here. */
async function expectedCredential(secret: string, username: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(username));
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

describe("ICE configuration", () => {
  it("defaults to Cloudflare's STUN server only", async () => {
    expect(await iceConfigFor({}, NOW)).toEqual({
      iceServers: [{ urls: ["stun:stun.cloudflare.com:3478"] }],
      iceTransportPolicy: "all",
      expiresAt: null,
    });
  });

  it("mints TURN REST credentials that expire after the configured time", async () => {
    const config = await iceConfigFor(
      {
        TURN_URLS: "turn:127.0.0.1:3478?transport=udp, turn:127.0.0.1:3478?transport=tcp",
        TURN_SECRET: "s3cret",
        TURN_TTL_SECONDS: "600",
      },
      NOW,
    );
    expect(config.expiresAt).toBe(NOW + 600_000);
    const turn = config.iceServers[1]!;
    expect(turn.urls).toEqual(["turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"]);
    const [expiry, opaque] = turn.username!.split(":");
    expect(Number(expiry)).toBe(NOW / 1000 + 600);
    expect(opaque).toMatch(/^[0-9a-f]{16}$/);
    expect(turn.credential).toBe(await expectedCredential("s3cret", turn.username!));
  });

  it("uses one hour by default and refuses silly lifetimes", async () => {
    const server = await turnRestCredentials("x", ["turn:a"], 3600, NOW);
    expect(server.username!.split(":")[0]).toBe(String(NOW / 1000 + 3600));
    for (const ttl of ["", "abc", "5", "9999999"]) {
      const config = await iceConfigFor({ TURN_URLS: "turn:a", TURN_SECRET: "x", TURN_TTL_SECONDS: ttl }, NOW);
      expect(config.expiresAt).toBe(NOW + 3600_000);
    }
  });

  it("asks Cloudflare Realtime TURN for credentials and drops port 53 URLs", async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const cloudflareApi = async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return Response.json({
        iceServers: [
          {
            urls: [
              "stun:stun.cloudflare.com:3478",
              "stun:stun.cloudflare.com:53",
              "turn:turn.cloudflare.com:3478?transport=udp",
              "turn:turn.cloudflare.com:53?transport=udp",
              "turns:turn.cloudflare.com:443?transport=tcp",
            ],
            username: "u",
            credential: "c",
          },
        ],
      });
    };
    const config = await iceConfigFor(
      { STUN_URLS: "", TURN_KEY_ID: "key id", TURN_KEY_API_TOKEN: "tok" },
      NOW,
      cloudflareApi,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(
      "https://rtc.live.cloudflare.com/v1/turn/keys/key%20id/credentials/generate-ice-servers",
    );
    expect(calls[0]!.init.method).toBe("POST");
    expect(new Headers(calls[0]!.init.headers).get("Authorization")).toBe("Bearer tok");
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ ttl: 3600 });
    expect(config.iceServers).toEqual([
      {
        urls: [
          "stun:stun.cloudflare.com:3478",
          "turn:turn.cloudflare.com:3478?transport=udp",
          "turns:turn.cloudflare.com:443?transport=tcp",
        ],
        username: "u",
        credential: "c",
      },
    ]);
    expect(config.expiresAt).toBe(NOW + 3600_000);
  });

  it("falls back to STUN when the TURN provider fails", async () => {
    const failing = async () => new Response("nope", { status: 503 });
    const config = await iceConfigFor({ TURN_KEY_ID: "k", TURN_KEY_API_TOKEN: "t" }, NOW, failing);
    expect(config).toEqual({
      iceServers: [{ urls: ["stun:stun.cloudflare.com:3478"] }],
      iceTransportPolicy: "all",
      expiresAt: null,
    });
  });

  it("falls back to STUN when the TURN provider does not answer in time", async () => {
    // An API that hangs until the request is given up on, as fetch does when its signal aborts.
    const hanging: Fetch = (_url, init) =>
      new Promise<Response>((_resolve, reject) => {
        const signal = init.signal;
        if (!signal) return;
        signal.addEventListener("abort", () => reject(signal.reason));
      });
    const config = await iceConfigFor({ TURN_KEY_ID: "k", TURN_KEY_API_TOKEN: "t" }, NOW, hanging, 50);
    expect(config).toEqual({
      iceServers: [{ urls: ["stun:stun.cloudflare.com:3478"] }],
      iceTransportPolicy: "all",
      expiresAt: null,
    });
  });

  it("can force relays for testing", async () => {
    expect((await iceConfigFor({ ICE_TRANSPORT_POLICY: "relay" }, NOW)).iceTransportPolicy).toBe("relay");
  });

  it.each([
    ["turn:turn.example.com:53", true],
    ["turn:turn.example.com:53?transport=udp", true],
    ["stun:[2001:db8::1]:53", true],
    ["turn:turn.example.com:5349", false],
    ["turn:turn53.example.com:3478", false],
    ["turns:turn.example.com:443?transport=tcp", false],
  ])("knows whether %s is on port 53", (url, expected) => {
    expect(usesPort53(url)).toBe(expected);
  });
});
