/**
 * Media keys for SFU mode between real KeyExchange objects and real WebCrypto (X25519, HKDF,
 * AES-GCM), over a relay the test controls (e2ee-room.ts): who can read whose frames, how keys
 * rotate when people leave and join, and what a hostile room's replayed or redirected key
 * messages achieve (nothing).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseE2eeSignal } from "../../common/e2ee-signal";
import { toBase64Url } from "../../frontend/call/e2ee/base64url";
import { createIdentityKey, pairwiseKey } from "../../frontend/call/e2ee/identity-key";
import { OVERLAP_MS, SWITCH_DELAY_MS } from "../../frontend/call/e2ee/key-exchange";
import { createSenderKey, unwrapSenderKey, wrapSenderKey } from "../../frontend/call/e2ee/sender-key";
import { type Member, Relay, reads, seal } from "./e2ee-room";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
});
afterEach(() => {
  vi.useRealTimers();
});

const keyMessagesTo = (relay: Relay, id: string) =>
  relay.log.filter((posted) => posted.to === id && (posted.data as { kind: string }).kind === "sender-key");

describe("pairwise keys", () => {
  it("are the same at both ends and open nothing for a third identity or another label", async () => {
    const [alice, bob, eve] = await Promise.all([createIdentityKey(), createIdentityKey(), createIdentityKey()]);
    const ab = await pairwiseKey(alice, "a", { id: "b", publicKey: bob.publicKey });
    const ba = await pairwiseKey(bob, "b", { id: "a", publicKey: alice.publicKey });
    const eb = await pairwiseKey(eve, "a", { id: "b", publicKey: bob.publicKey });
    const label = { from: "a", to: "b", generation: 3 };
    const { iv, wrapped } = await wrapSenderKey(await createSenderKey(), ab, label);
    expect(await unwrapSenderKey(wrapped, iv, ba, label)).not.toBeNull();
    expect(await unwrapSenderKey(wrapped, iv, eb, label)).toBeNull();
    for (const other of [
      { from: "a", to: "c", generation: 3 },
      { from: "c", to: "b", generation: 3 },
      { from: "a", to: "b", generation: 4 },
    ])
      expect(await unwrapSenderKey(wrapped, iv, ba, other)).toBeNull();
  });

  it("keep the private half inside WebCrypto: neither identity nor received sender keys can be exported", async () => {
    const identity = await createIdentityKey();
    await expect(crypto.subtle.exportKey("pkcs8", identity.privateKey)).rejects.toThrow();
    const ab = await pairwiseKey(identity, "a", { id: "b", publicKey: (await createIdentityKey()).publicKey });
    await expect(crypto.subtle.exportKey("raw", ab)).rejects.toThrow();
  });
});

describe("sender keys in a call", () => {
  it("let every member read every other member's frames once identities are exchanged", async () => {
    const relay = new Relay();
    const members = await relay.gather("alice", "bob", "carol");
    for (const sender of members)
      for (const receiver of members)
        if (sender !== receiver) expect(await reads(receiver, sender, await seal(sender))).toBe("reads");
    const outsider = await relay.member("eve", { join: false });
    expect(await reads(outsider, members[0]!, await seal(members[0]!))).toBe("no-key");
  });

  it("rotate when someone leaves: the leaver reads nothing after the switch, the others carry on", async () => {
    const relay = new Relay();
    const [alice, bob, carol] = (await relay.gather("alice", "bob", "carol")) as [Member, Member, Member];
    const sentBefore = keyMessagesTo(relay, "carol").length;
    await relay.leave("carol");
    await relay.flush();
    expect(keyMessagesTo(relay, "carol").length).toBe(sentBefore);
    // Until the switch, alice still uses the key everyone (carol too) holds: nobody misses a frame.
    const inFlight = await seal(alice);
    expect(await reads(bob, alice, inFlight)).toBe("reads");
    await vi.advanceTimersByTimeAsync(SWITCH_DELAY_MS);
    expect([alice.generation, bob.generation]).toEqual([1, 1]);
    const after = await seal(alice);
    expect(await reads(bob, alice, after)).toBe("reads");
    expect(await reads(carol, alice, after)).toBe("no-key");
    expect(await reads(carol, bob, await seal(bob))).toBe("no-key");
    // The old key stays for frames in flight, then goes.
    expect(await reads(bob, alice, inFlight)).toBe("reads");
    await vi.advanceTimersByTimeAsync(OVERLAP_MS);
    expect(await reads(bob, alice, inFlight)).toBe("no-key");
    expect(await reads(bob, alice, await seal(alice))).toBe("reads");
  });

  it("rotate when someone joins: the newcomer never gets a key that protected earlier frames", async () => {
    const relay = new Relay();
    const [alice, bob] = (await relay.gather("alice", "bob")) as [Member, Member];
    const before = await seal(alice);
    const dave = await relay.join("dave");
    await relay.flush();
    const generations = keyMessagesTo(relay, "dave").map(
      (posted) => (posted.data as { generation: number }).generation,
    );
    expect(generations.length).toBe(2);
    expect(Math.min(...generations)).toBeGreaterThanOrEqual(1);
    expect(await reads(dave, alice, before)).toBe("no-key");
    await vi.advanceTimersByTimeAsync(SWITCH_DELAY_MS);
    for (const [receiver, sender] of [
      [dave, alice],
      [dave, bob],
      [bob, alice],
      [alice, dave],
    ] as const)
      expect(await reads(receiver, sender, await seal(sender))).toBe("reads");
  });

  it("reach a member again that was away during a rotation, once it is back (the room drops what it had for it)", async () => {
    const relay = new Relay();
    const [alice, bob, carol] = (await relay.gather("alice", "bob", "carol")) as [Member, Member, Member];
    // Carol's socket drops; Bob leaves meanwhile, and Alice's new key for Carol goes nowhere.
    const route = relay.route;
    relay.route = (posted) => (posted.to === "carol" ? null : route(posted));
    await relay.leave("bob");
    await relay.flush();
    await vi.advanceTimersByTimeAsync(SWITCH_DELAY_MS);
    expect(await reads(carol, alice, await seal(alice)), "Carol missed the new key").toBe("no-key");

    // Carol resumes: the room tells Alice (peer-joined for a member she still has), and Alice sends again.
    relay.route = route;
    await alice.exchange.peerReturned("carol");
    await relay.flush();
    expect(await reads(carol, alice, await seal(alice))).toBe("reads");
    // What she sends again and Carol already had changes nothing: the same identity, a generation refused as held.
    const rejections = carol.rejections.length;
    await alice.exchange.peerReturned("carol");
    await relay.flush();
    expect(carol.rejections.slice(rejections)).toEqual(["stale-generation"]);
    expect(await reads(carol, alice, await seal(alice))).toBe("reads");
    // Nobody else hears anything, and someone who is no member gets nothing.
    const posted = relay.log.length;
    await alice.exchange.peerReturned("bob");
    expect(relay.log.length).toBe(posted);
    expect(await reads(bob, alice, await seal(alice))).toBe("no-key");
  });

  it("switch to each newer key in turn when several people come and go at once", async () => {
    const relay = new Relay();
    const [alice, bob] = (await relay.gather("alice", "bob")) as [Member, Member];
    await relay.join("carol");
    await relay.join("dave");
    await relay.leave("carol");
    await relay.flush();
    await vi.advanceTimersByTimeAsync(SWITCH_DELAY_MS);
    expect(alice.generation).toBe(3);
    expect(await reads(bob, alice, await seal(alice))).toBe("reads");
    expect(await reads(relay.members.get("dave")!, alice, await seal(alice))).toBe("reads");
  });
});

describe("key messages a hostile room could send", () => {
  async function call() {
    const relay = new Relay();
    const [alice, bob, carol] = (await relay.gather("alice", "bob", "carol")) as [Member, Member, Member];
    await alice.exchange.rotate();
    // Alice's new key messages are held back: the room decides what happens to them.
    const toBob = relay.queue.find((posted) => posted.to === "bob")!;
    relay.queue.length = 0;
    return { relay, alice, bob, carol, toBob };
  }

  it("are refused with a reason, and change nothing", async () => {
    const { relay, alice, bob, carol, toBob } = await call();
    const identity = toBase64Url((await createIdentityKey()).publicKey);
    const cases: [string | null, Member, string, unknown][] = [
      ["does-not-open", carol, "alice", toBob.data], // bob's key message handed to carol
      ["does-not-open", bob, "carol", toBob.data], // passed off as carol's
      [null, bob, "alice", toBob.data], // delivered as sent
      ["stale-generation", bob, "alice", toBob.data], // the same key message again
      ["identity-changed", bob, "alice", { kind: "identity", v: 1, publicKey: identity }],
      ["unknown-member", bob, "mallory", toBob.data],
      ["malformed", bob, "alice", { ...(toBob.data as object), extra: 1 }],
      ["malformed", bob, "alice", { kind: "sender-key", v: 1, generation: 9, iv: "x", wrapped: "y" }],
      ["malformed", bob, "alice", "not json at all"],
      ["not-a-key-message", bob, "alice", { kind: "safety", frame: "{}" }],
    ];
    const held = () => [...bob.keys.entries()].map(([id, keys]) => [id, [...keys.keys()]]);
    const before = held();
    for (const [reason, target, as, data] of cases) {
      expect(await target.exchange.receive(as, data), String(reason)).toBe(reason);
      // Only the one genuine message added a key (alice's generation 1, key id 1).
      if (reason === null) before[0]![1] = [0, 1];
    }
    expect(held()).toEqual(before);
    await vi.advanceTimersByTimeAsync(SWITCH_DELAY_MS);
    expect(await reads(bob, alice, await seal(alice))).toBe("reads");
    expect(relay.queue).toEqual([]);
  });

  it("refuse an identity key that is not a usable X25519 point, and any key before an identity", async () => {
    const relay = new Relay();
    const [alice] = (await relay.gather("alice")) as [Member];
    const newcomer = await relay.member("zed", { join: false });
    await alice.exchange.addMember("zed");
    const zeroPoint = toBase64Url(new Uint8Array(32));
    expect(await alice.exchange.receive("zed", { kind: "identity", v: 1, publicKey: zeroPoint })).toBe(
      "bad-public-key",
    );
    await newcomer.exchange.addMember("alice", { rotate: false });
    const keyBeforeIdentity = { kind: "sender-key", v: 1, generation: 1, iv: "A".repeat(16), wrapped: "A".repeat(64) };
    expect(await alice.exchange.receive("zed", keyBeforeIdentity)).toBe("no-identity-yet");
  });

  it("are bounded by their schema before anything reads them", () => {
    expect(parseE2eeSignal({ kind: "identity", v: 1, publicKey: "A".repeat(43) })).not.toBeNull();
    expect(parseE2eeSignal({ kind: "identity", v: 1, publicKey: "A".repeat(44) })).toBeNull();
    expect(parseE2eeSignal({ kind: "identity", v: 2, publicKey: "A".repeat(43) })).toBeNull();
    expect(parseE2eeSignal({ kind: "safety", frame: "x".repeat(257) })).toBeNull();
    expect(
      parseE2eeSignal({ kind: "sender-key", v: 1, generation: -1, iv: "A".repeat(16), wrapped: "A".repeat(64) }),
    ).toBeNull();
  });
});
