/**
 * Safety codes in SFU mode: made from the pair's X25519 identity keys, with the commit-then-reveal
 * exchange of issue 9. Real KeyExchange and SafetyExchange objects; the room (e2ee-room.ts) is the
 * test, which here plays a man in the middle who swaps public keys and so can read the media.
 */
import { describe, expect, it } from "vitest";
import { type E2eeSignal, parseE2eeSignal } from "../../common/e2ee-signal";
import type { ConnectionFingerprints } from "../../frontend/call/peer/dtls-fingerprint";
import { safetyCode, sha256, toHex } from "../../frontend/call/peer/safety-code";
import { SAFETY_FAILURES, SafetyExchange, type SafetyState } from "../../frontend/call/peer/safety-exchange";
import {
  identityFingerprint,
  identityFingerprints,
  identitySafetyCode,
} from "../../frontend/call/peer/safety-identity";
import { type Member, Relay, reads, seal } from "./e2ee-room";

/** One end's exchange; its frames ride as `safety` messages, JSON-encoded as over the room socket. */
function end(fingerprints: ConnectionFingerprints, nonce?: string) {
  const outbox: string[] = [];
  const exchange = new SafetyExchange({
    send: (frame) => outbox.push(JSON.stringify({ kind: "safety", frame } satisfies E2eeSignal)),
    onState: () => undefined,
    nonce,
  });
  return {
    exchange,
    outbox,
    start: () => exchange.start(fingerprints),
    async receive(wire: string) {
      const message = parseE2eeSignal(JSON.parse(wire));
      if (message?.kind === "safety") await exchange.receive(message.frame);
    },
    get state(): SafetyState {
      return exchange.state;
    },
  };
}
type End = ReturnType<typeof end>;

/** The exchange as a member runs it: about its own key and the peer key its pairwise key came from. */
const endOf = (member: Member, peerId: string, nonce?: string) =>
  end(identityFingerprints(member.exchange.publicKey, member.exchange.peerPublicKey(peerId)!), nonce);

async function pump(x: End, y: End): Promise<void> {
  while (x.outbox.length > 0 || y.outbox.length > 0) {
    for (const frame of x.outbox.splice(0)) await y.receive(frame);
    for (const frame of y.outbox.splice(0)) await x.receive(frame);
  }
}
const codeOf = (state: SafetyState) => (state.kind === "code" ? state.code : null);
const nonce = async (label: string) => toHex(await sha256(label));

describe("the safety code over identity keys", () => {
  it("is the same on both ends of an honest pair, and made from their two public keys and nonces", async () => {
    const relay = new Relay();
    const [alice, bob] = (await relay.gather("alice", "bob")) as [Member, Member];
    const [na, nb] = [await nonce("a"), await nonce("b")];
    const [a, b] = [endOf(alice, "bob", na), endOf(bob, "alice", nb)];
    await Promise.all([a.start(), b.start()]);
    await pump(a, b);
    expect(codeOf(a.state)).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(codeOf(b.state)).toBe(codeOf(a.state));
    expect(codeOf(a.state)).toBe(
      await identitySafetyCode(
        { publicKey: alice.exchange.publicKey, nonce: na },
        { publicKey: bob.exchange.publicKey, nonce: nb },
      ),
    );
  });

  it("keeps identity keys apart from DTLS certificates with the same bytes", async () => {
    const bytes = new Uint8Array(32).fill(0xab);
    const asIdentity = { fingerprint: identityFingerprint(bytes), nonce: "00" };
    const asCertificate = { fingerprint: { algorithm: "sha-256", value: toHex(bytes) }, nonce: "00" };
    expect(await safetyCode(asIdentity, asIdentity)).not.toBe(await safetyCode(asCertificate, asCertificate));
  });

  it("enforces commit-then-reveal: nothing is revealed before a commitment, a reveal first fails", async () => {
    const relay = new Relay();
    const [alice, bob] = (await relay.gather("alice", "bob")) as [Member, Member];
    const a = endOf(alice, "bob");
    await a.start();
    expect(a.outbox.map((wire) => JSON.parse(JSON.parse(wire).frame).type)).toEqual(["commit"]);
    const b = endOf(bob, "alice", await nonce("b"));
    const reveal = { kind: "safety", frame: JSON.stringify({ type: "reveal", nonce: await nonce("b") }) };
    await a.receive(JSON.stringify(reveal));
    expect(a.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.revealBeforeCommit });
    await b.start();
    await pump(a, b);
    expect(codeOf(b.state)).toBeNull();
  });
});

describe("a room that swaps identity keys to sit in the middle", () => {
  /**
   * The room answers alice as "bob" with its own key exchange, and bob as "alice" with another:
   * alice's and bob's keys reach only the room, the room's keys reach them.
   */
  async function intercepted() {
    const relay = new Relay();
    const alice = await relay.member("alice");
    const bob = await relay.member("bob");
    const asBob = await relay.member("bob", { join: false });
    const asAlice = await relay.member("alice", { join: false });
    const peers = new Map<Member, Member>([
      [alice, asBob],
      [asBob, alice],
      [bob, asAlice],
      [asAlice, bob],
    ]);
    relay.route = ({ from }) => ({ target: peers.get(from)!, as: from.id });
    for (const [x, y] of peers) await x.exchange.addMember(y.id, { rotate: false });
    await relay.flush();
    return { alice, bob, asBob, asAlice };
  }

  it("can read the media: the key exchange alone cannot tell", async () => {
    const { alice, bob, asBob, asAlice } = await intercepted();
    expect(await reads(asBob, alice, await seal(alice))).toBe("reads");
    expect(await reads(asAlice, bob, await seal(bob))).toBe("reads");
    // Alice believes she talks to bob, and her pairwise key is with the room.
    expect(toHex(alice.exchange.peerPublicKey("bob")!)).toBe(toHex(asBob.exchange.publicKey));
  });

  it("leaves alice and bob with different codes when it runs an honest exchange on each side", async () => {
    const { alice, bob, asBob, asAlice } = await intercepted();
    const [a, mb, b, ma] = [endOf(alice, "bob"), endOf(asBob, "alice"), endOf(bob, "alice"), endOf(asAlice, "bob")];
    await Promise.all([a.start(), mb.start(), b.start(), ma.start()]);
    await pump(a, mb);
    await pump(b, ma);
    expect([a.state.kind, b.state.kind]).toEqual(["code", "code"]);
    expect(codeOf(a.state)).not.toBe(codeOf(b.state));
  });

  it("leaves both without a code when it relays their safety frames unchanged", async () => {
    const { alice, bob } = await intercepted();
    const [a, b] = [endOf(alice, "bob"), endOf(bob, "alice")];
    await Promise.all([a.start(), b.start()]);
    await pump(a, b);
    // Each commitment names its sender's own key; the other end opens it against the room's key.
    expect(a.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.badReveal });
    expect(b.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.badReveal });
  });
});
