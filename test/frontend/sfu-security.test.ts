/**
 * SFU mode's security part (frontend/call/sfu/sfu-security.ts): several real SfuSecurity objects
 * (real KeyExchange, SafetyExchange, sealed chat, real WebCrypto) exchange their `{e2ee}` signals
 * through an in-memory room the test plays, JSON on the wire as over the room socket, so it can
 * also swap, forge, replay and redirect them as a hostile room could. The one stand-in is the
 * frame-transform worker at the browser boundary (happy-dom has no Worker): a key ring holding
 * what the worker would be given, whose frames the real frame cipher seals and opens.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { E2eeSignal } from "../../common/e2ee-signal";
import { encodeChat } from "../../frontend/call/chat-log";
import { toBase64Url } from "../../frontend/call/e2ee/base64url";
import { FrameDecryptor, FrameEncryptor } from "../../frontend/call/e2ee/frame-cipher";
import { createIdentityKey } from "../../frontend/call/e2ee/identity-key";
import { SWITCH_DELAY_MS } from "../../frontend/call/e2ee/key-exchange";
import type { TransformStats } from "../../frontend/call/e2ee/transform-messages";
import type { SafetyState } from "../../frontend/call/peer/safety-exchange";
import { identitySafetyCode } from "../../frontend/call/peer/safety-identity";
import {
  type FrameTransforms,
  MAX_CHAT_BACKLOG,
  SfuChatRefused,
  SfuSecurity,
} from "../../frontend/call/sfu/sfu-security";

/** What the transform worker would hold: our encryptor's key and every member's keys by key id. */
class KeyRing implements FrameTransforms {
  readonly api = "script-transform" as const;
  readonly encryptor = new FrameEncryptor();
  readonly keys = new Map<string, Map<number, CryptoKey>>();
  readonly attached: string[] = [];
  generation = -1;
  closed = false;

  encrypt(sender: RTCRtpSender): void {
    this.attached.push(`encrypt ${sender.track?.kind}`);
  }
  decrypt(receiver: RTCRtpReceiver, from: string): void {
    this.attached.push(`decrypt ${receiver.track.kind} from ${from}`);
  }
  useSenderKey(generation: number, key: CryptoKey): void {
    this.generation = generation;
    this.encryptor.setKey(generation, key);
  }
  setPeerKey(sender: string, keyId: number, key: CryptoKey | null): void {
    const held = this.keys.get(sender) ?? new Map<number, CryptoKey>();
    this.keys.set(sender, held);
    if (key) held.set(keyId, key);
    else held.delete(keyId);
  }
  async stats(): Promise<TransformStats> {
    return { encrypted: 0, unsent: 0, keyId: this.generation % 256, received: {} };
  }
  close(): void {
    this.closed = true;
  }
}

interface Person {
  id: string;
  security: SfuSecurity;
  ring: KeyRing;
  chat: { from: string; frame: string }[];
}

interface Posted {
  from: string;
  to: string;
  data: unknown;
}

/** The room: relays each signal as JSON, in order, when the test flushes; `route` lets a test misdeliver. */
class Room {
  readonly people = new Map<string, Person>();
  readonly queue: Posted[] = [];
  readonly log: Posted[] = [];
  route: (posted: Posted) => { to: Person; as: string } | null = ({ from, to }) => {
    const person = this.people.get(to);
    return person ? { to: person, as: from } : null;
  };

  /** A page in the room as `id`; `selfId` is who it says it is (a man in the middle plays someone else). */
  async person(id: string, selfId = id): Promise<Person> {
    const ring = new KeyRing();
    const chat: Person["chat"] = [];
    const security = await SfuSecurity.create({
      selfId,
      transforms: ring,
      send: (to, e2ee: E2eeSignal) => {
        const posted = { from: id, to, data: JSON.parse(JSON.stringify(e2ee)) as unknown };
        this.queue.push(posted);
        this.log.push(posted);
      },
      onChat: (from, frame) => chat.push({ from, frame }),
      now: () => Date.now(),
    });
    const person = { id, security: security!, ring, chat };
    this.people.set(id, person);
    return person;
  }

  /** Everyone's roster as the room would announce it. */
  async roster(): Promise<void> {
    const ids = [...this.people.keys()];
    await Promise.all([...this.people.values()].map((person) => person.security.setMembers(ids)));
  }

  async gather(...ids: string[]): Promise<Person[]> {
    const people = [];
    for (const id of ids) people.push(await this.person(id));
    await this.roster();
    await this.flush();
    return people;
  }

  async deliver(posted: Posted): Promise<void> {
    const route = this.route(posted);
    if (route) await route.to.security.receive(route.as, posted.data);
  }

  /** Delivers until nobody has anything left to say (receive settles only once what it sends is out). */
  async flush(): Promise<void> {
    for (let posted = this.queue.shift(); posted; posted = this.queue.shift()) await this.deliver(posted);
  }
}

const VIDEO = { kind: "video", type: "delta", mimeType: "video/VP8" } as const;
const seal = (person: Person) => person.ring.encryptor.encrypt(new Uint8Array(120).fill(7).buffer, VIDEO);
async function reads(receiver: Person, sender: Person, sealed: ArrayBuffer | null): Promise<string> {
  if (!sealed) return "not sent";
  const result = await new FrameDecryptor((keyId) => receiver.ring.keys.get(sender.id)?.get(keyId)).decrypt(sealed);
  return result.ok ? "reads" : result.reason;
}
const codeOf = (state: SafetyState) => (state.kind === "code" ? state.code : state.kind);
const code = (a: Person, b: Person) => codeOf(a.security.safetyCode(b.id).value);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("SfuSecurity safety codes", () => {
  it("match for every honest pair, made from the two identity keys both ends use", async () => {
    const room = new Room();
    const [alice, bob, carol] = (await room.gather("alice", "bob", "carol")) as [Person, Person, Person];
    for (const [a, b] of [
      [alice, bob],
      [alice, carol],
      [bob, carol],
    ] as const) {
      expect(code(a, b)).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
      expect(code(b, a)).toBe(code(a, b));
    }
    expect(code(alice, bob)).not.toBe(code(alice, carol));
    // One commitment, then one reveal, from each end to each other end.
    for (const from of ["alice", "bob", "carol"])
      for (const to of ["alice", "bob", "carol"]) {
        if (from === to) continue;
        const frames = room.log
          .filter((p) => p.from === from && p.to === to && (p.data as E2eeSignal).kind === "safety")
          .map((p) => JSON.parse((p.data as { frame: string }).frame).type as string);
        expect(frames).toEqual(["commit", "reveal"]);
      }
  });

  it("differ when the room sits in the middle with keys of its own, though each side gets one", async () => {
    const room = new Room();
    const [alice, bob] = (await Promise.all([room.person("alice"), room.person("bob")])) as [Person, Person];
    // Mallory plays bob to alice and alice to bob, with an identity key per side.
    const asBob = await room.person("mallory-as-bob", "bob");
    const asAlice = await room.person("mallory-as-alice", "alice");
    const mallory = new Map([
      ["alice", { face: asBob, posingAs: "bob" }],
      ["bob", { face: asAlice, posingAs: "alice" }],
    ]);
    room.route = ({ from, to }) => {
      if (from === "mallory-as-bob") return { to: alice, as: "bob" };
      if (from === "mallory-as-alice") return { to: bob, as: "alice" };
      const side = mallory.get(from);
      return side && to === side.posingAs ? { to: side.face, as: from } : null;
    };
    await alice.security.setMembers(["alice", "bob"]);
    await bob.security.setMembers(["alice", "bob"]);
    await asBob.security.setMembers(["alice"]);
    await asAlice.security.setMembers(["bob"]);
    await room.flush();

    expect(code(alice, bob)).toMatch(/^\d{3} /);
    expect(code(bob, alice)).toMatch(/^\d{3} /);
    expect(code(alice, bob)).not.toBe(code(bob, alice));
    // And Mallory could indeed read alice's chat: only the codes tell.
    await alice.security.sendChat("bob", encodeChat("secret"));
    await room.flush();
    expect(asBob.chat.map((c) => c.from)).toEqual(["alice"]);
  });

  it("fail when the room swaps identity keys but relays the safety frames as they are", async () => {
    const room = new Room();
    const [alice, bob] = (await Promise.all([room.person("alice"), room.person("bob")])) as [Person, Person];
    const forged = toBase64Url((await createIdentityKey()).publicKey);
    const honest = room.route;
    room.route = (posted) => {
      const data = posted.data as E2eeSignal;
      if (data.kind === "identity") posted.data = { ...data, publicKey: forged };
      return honest(posted);
    };
    await room.roster();
    await room.flush();
    expect(alice.security.safetyCode("bob").value).toMatchObject({ kind: "failed", reason: "badReveal" });
    expect(bob.security.safetyCode("alice").value).toMatchObject({ kind: "failed", reason: "badReveal" });
  });

  it("fail for good on a key swap: a second, different identity from a member mid-call", async () => {
    const room = new Room();
    const [alice, bob] = (await room.gather("alice", "bob")) as [Person, Person];
    const before = code(alice, bob);
    expect(before).toMatch(/^\d{3} /);
    const other = toBase64Url((await createIdentityKey()).publicKey);
    await alice.security.receive("bob", { kind: "identity", v: 1, publicKey: other });
    expect(alice.security.safetyCode("bob").value).toEqual({ kind: "failed", reason: "certificatesChanged" });
    // The same key again (a replay) is no swap; it changes nothing on bob's side either.
    await bob.security.receive("alice", { kind: "identity", v: 1, publicKey: toBase64Url(alice.security.publicKey) });
    expect(code(bob, alice)).toBe(before);
    // Media keys stay with the identity first accepted: alice still reads bob, and nobody else does.
    expect(await reads(alice, bob, await seal(bob))).toBe("reads");
  });

  it("are the identity-key code over the keys each side holds", async () => {
    const room = new Room();
    const [alice, bob] = (await room.gather("alice", "bob")) as [Person, Person];
    const reveals = (from: string) =>
      room.log
        .filter((p) => p.from === from && (p.data as E2eeSignal).kind === "safety")
        .map((p) => JSON.parse((p.data as { frame: string }).frame) as { type: string; nonce?: string })
        .find((f) => f.type === "reveal")!.nonce!;
    expect(code(alice, bob)).toBe(
      await identitySafetyCode(
        { publicKey: alice.security.publicKey, nonce: reveals("alice") },
        { publicKey: bob.security.publicKey, nonce: reveals("bob") },
      ),
    );
  });
});

describe("SfuSecurity media keys", () => {
  it("let every member read every other's frames, and say when a member's frames can be pulled", async () => {
    const room = new Room();
    const people = await room.gather("alice", "bob", "carol");
    for (const sender of people)
      for (const receiver of people)
        if (sender !== receiver) expect(await reads(receiver, sender, await seal(sender))).toBe("reads");
    // Everyone's first key (generation 0) is in use from the start: readable at once.
    expect(await people[0]!.security.readable("bob")).toBe(true);
    expect(await people[0]!.security.readable("nobody")).toBe(false);
  });

  it("rotate when someone leaves: after the switch the leaver reads nothing new, the others carry on", async () => {
    const room = new Room();
    const [alice, bob, carol] = (await room.gather("alice", "bob", "carol")) as [Person, Person, Person];
    alice.security.protectSender({ track: { kind: "video" } } as RTCRtpSender);
    room.people.delete("carol");
    await room.roster();
    await room.flush();
    await vi.advanceTimersByTimeAsync(SWITCH_DELAY_MS);
    expect(alice.ring.generation).toBeGreaterThan(0);
    const after = await seal(alice);
    expect(await reads(bob, alice, after)).toBe("reads");
    expect(await reads(carol, alice, after)).toBe("no-key");
    // Alice's transforms dropped carol's keys too.
    expect(alice.ring.keys.get("carol")?.size ?? 0).toBe(0);
  });

  it("rotate for a newcomer once we publish, who can pull only when the new key is in use", async () => {
    const room = new Room();
    const [alice, bob] = (await room.gather("alice", "bob")) as [Person, Person];
    alice.security.protectSender({ track: { kind: "video" } } as RTCRtpSender);
    expect(alice.ring.attached).toEqual(["encrypt video"]);
    const before = await seal(alice);
    const dave = await room.person("dave");
    await room.roster();
    await room.flush();
    // Dave holds only the new key, which alice does not use yet: not readable until the switch.
    expect(await reads(dave, alice, before)).toBe("no-key");
    let readable: boolean | null = null;
    void dave.security.readable("alice").then((r) => (readable = r));
    await vi.advanceTimersByTimeAsync(SWITCH_DELAY_MS - 10);
    expect(readable).toBeNull();
    await vi.advanceTimersByTimeAsync(20);
    expect(readable).toBe(true);
    const after = await seal(alice);
    expect(await reads(dave, alice, after)).toBe("reads");
    expect(await reads(bob, alice, after)).toBe("reads");
    // Bob had not published: he did not rotate for dave, whose first key from bob is in use already.
    expect(bob.ring.generation).toBe(0);
    expect(await dave.security.readable("bob")).toBe(true);
  });

  it("attach the transforms: each receiver to its publisher's keys", async () => {
    const room = new Room();
    const [alice] = (await room.gather("alice", "bob")) as [Person, Person];
    alice.security.protectReceiver({ track: { kind: "audio" } } as RTCRtpReceiver, "bob");
    expect(alice.ring.attached).toEqual(["decrypt audio from bob"]);
    expect(alice.security.configuration).toEqual({});
  });
});

describe("SfuSecurity chat", () => {
  it("round-trips sealed, in order, and the room sees no text", async () => {
    const room = new Room();
    const [alice, bob] = (await room.gather("alice", "bob")) as [Person, Person];
    const frames = ["one", "two", "three"].map((text) => encodeChat(`${text} ünïcødé`));
    await Promise.all(frames.map((frame) => alice.security.sendChat("bob", frame)));
    await room.flush();
    expect(bob.chat).toEqual(frames.map((frame) => ({ from: "alice", frame })));
    for (const posted of room.log) expect(JSON.stringify(posted.data)).not.toContain("ünïcødé");
  });

  it("refuses a forged, replayed or redirected frame", async () => {
    const room = new Room();
    const [alice, bob, carol] = (await room.gather("alice", "bob", "carol")) as [Person, Person, Person];
    await alice.security.sendChat("bob", encodeChat("first"));
    const sealed = room.queue.at(-1)!;
    await room.flush();
    expect(bob.chat).toHaveLength(1);
    // Replayed as is, redirected to carol, re-labelled as from carol, one byte changed, renumbered.
    const data = sealed.data as Extract<E2eeSignal, { kind: "chat" }>;
    await bob.security.receive("alice", data);
    await carol.security.receive("alice", data);
    await bob.security.receive("carol", data);
    const flipped = `${data.box[0] === "A" ? "B" : "A"}${data.box.slice(1)}`;
    await bob.security.receive("alice", { ...data, box: flipped, seq: data.seq + 1 });
    await bob.security.receive("alice", { ...data, seq: data.seq + 1 });
    expect(bob.chat).toHaveLength(1);
    expect(carol.chat).toEqual([]);
    // The pair's chat carries on.
    await alice.security.sendChat("bob", encodeChat("second"));
    await room.flush();
    expect(bob.chat.map((c) => c.frame)).toEqual([encodeChat("first"), encodeChat("second")]);
  });

  it("waits for the pair's key, and refuses a non-member, a full backlog and a member who leaves first", async () => {
    const room = new Room();
    const alice = await room.person("alice");
    const bob = await room.person("bob");
    await room.roster();
    // Identities not delivered yet: the frames wait.
    const early = alice.security.sendChat("bob", encodeChat("early"));
    await expect(alice.security.sendChat("nobody", "x")).rejects.toMatchObject({ reason: "not-a-member" });
    await room.flush();
    await early;
    await room.flush();
    expect(bob.chat.map((c) => c.frame)).toEqual([encodeChat("early")]);

    const carol = await room.person("carol");
    await room.roster();
    const waiting = Array.from({ length: MAX_CHAT_BACKLOG }, () => alice.security.sendChat("carol", "x"));
    await expect(alice.security.sendChat("carol", "x")).rejects.toMatchObject({ reason: "backlog" });
    room.people.delete("carol");
    await alice.security.setMembers(["alice", "bob"]);
    for (const sent of waiting) await expect(sent).rejects.toBeInstanceOf(SfuChatRefused);
    expect(carol.chat).toEqual([]);
  });
});

describe("SfuSecurity against hostile input", () => {
  it("changes nothing and throws nothing for what is not ours, or from a non-member", async () => {
    const room = new Room();
    const [alice, bob] = (await room.gather("alice", "bob")) as [Person, Person];
    const before = { code: code(alice, bob), keys: [...(alice.ring.keys.get("bob") ?? new Map()).entries()] };
    const sent = room.log.length;
    const identity = { kind: "identity", v: 1, publicKey: toBase64Url(new Uint8Array(32).fill(1)) };
    const hostile: [string, unknown][] = [
      ["bob", null],
      ["bob", 42],
      ["bob", "identity"],
      ["bob", { kind: "identity" }],
      ["bob", { ...identity, publicKey: "x".repeat(100_000) }],
      ["bob", { ...identity, extra: 1 }],
      ["bob", { kind: "sender-key", v: 1, generation: -1, iv: "", wrapped: "" }],
      ["bob", { kind: "sender-key", v: 1, generation: 0, iv: "A".repeat(16), wrapped: "A".repeat(64) }],
      ["bob", { kind: "chat", v: 1, seq: 0, iv: "A".repeat(16), box: "A".repeat(40) }],
      ["bob", { kind: "safety", frame: "x".repeat(10_000) }],
      ["mallory", identity],
      ["mallory", { kind: "safety", frame: '{"type":"reveal","nonce":"00"}' }],
      ["alice", identity],
    ];
    for (const [from, data] of hostile) await expect(alice.security.receive(from, data)).resolves.toBeUndefined();
    await room.flush();
    expect(room.log.length).toBe(sent);
    expect(code(alice, bob)).toBe(before.code);
    expect([...(alice.ring.keys.get("bob") ?? new Map()).entries()]).toEqual(before.keys);
    expect(await reads(alice, bob, await seal(bob))).toBe("reads");
    await alice.security.sendChat("bob", encodeChat("still here"));
    await room.flush();
    expect(bob.chat).toHaveLength(1);
  });

  it("lets a safety frame out of order fail that pair's code, never make one", async () => {
    const room = new Room();
    const [alice, bob] = (await Promise.all([room.person("alice"), room.person("bob")])) as [Person, Person];
    await alice.security.setMembers(["alice", "bob"]);
    // Before any commitment, the room injects a reveal from "bob".
    await alice.security.receive("bob", {
      kind: "safety",
      frame: JSON.stringify({ type: "reveal", nonce: "0".repeat(64) }),
    });
    await bob.security.setMembers(["alice", "bob"]);
    await room.flush();
    expect(alice.security.safetyCode("bob").value).toMatchObject({ kind: "failed", reason: "revealBeforeCommit" });
    expect(code(bob, alice)).not.toMatch(/^\d/);
  });

  it("closes the worker on dispose and sends nothing after", async () => {
    const room = new Room();
    const [alice] = (await room.gather("alice", "bob")) as [Person, Person];
    alice.security.dispose();
    expect(alice.ring.closed).toBe(true);
    const sent = room.log.length;
    await alice.security.setMembers(["alice", "bob", "carol"]);
    await expect(alice.security.sendChat("bob", "x")).rejects.toMatchObject({ reason: "disposed" });
    expect(room.log.length).toBe(sent);
  });
});
