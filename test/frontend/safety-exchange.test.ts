/**
 * The commit-then-reveal exchange behind safety codes, played between real SafetyExchange
 * objects, with a man in the middle scripted from the outside: he controls the signaling
 * server, so he picks the certificates of both DTLS sessions, and he sees every frame.
 */
import { describe, expect, it } from "vitest";
import type { ConnectionFingerprints } from "../../frontend/call/peer/dtls-fingerprint";
import {
  type CertificateFingerprint,
  canonicalFingerprint,
  safetyCode,
  sha256,
  toHex,
} from "../../frontend/call/peer/safety-code";
import {
  commitment,
  encodeSafetyFrame,
  parseSafetyFrame,
  SAFETY_FAILURES,
  SafetyExchange,
  type SafetyState,
} from "../../frontend/call/peer/safety-exchange";

const fp = (label: string): CertificateFingerprint => ({
  algorithm: "sha-256",
  value: label.padEnd(64, "0").replace(/[^0-9a-f]/g, "f"),
});
/** Deterministic, unpredictable-looking nonces, so the odds measured below are the same every run. */
const nonceFor = async (label: string) => toHex(await sha256(label));

/** One end: a real exchange, its frames collected instead of sent, its states recorded. */
function end(fingerprints: ConnectionFingerprints, options: { nonce?: string; digits?: number } = {}) {
  const outbox: string[] = [];
  const states: SafetyState[] = [];
  const exchange = new SafetyExchange({
    send: (frame) => outbox.push(frame),
    onState: (s) => states.push(s),
    ...options,
  });
  return {
    exchange,
    outbox,
    states,
    start: () => exchange.start(fingerprints),
    /** Every frame sent so far, taken out of the outbox. */
    take: () => outbox.splice(0),
    get state() {
      return exchange.state;
    },
  };
}
type End = ReturnType<typeof end>;

/** A direct connection (no one in the middle): both ends see the same two certificates. */
function pair(options: { digits?: number; nonces?: [string, string] } = {}) {
  const [a, b] = [fp("a1"), fp("b2")];
  return [
    end({ local: a, remote: b }, { digits: options.digits, nonce: options.nonces?.[0] }),
    end({ local: b, remote: a }, { digits: options.digits, nonce: options.nonces?.[1] }),
  ] as const;
}

/** Delivers frames both ways until neither end has anything left to say. */
async function pump(x: End, y: End): Promise<void> {
  while (x.outbox.length > 0 || y.outbox.length > 0) {
    for (const frame of x.take()) await y.exchange.receive(frame);
    for (const frame of y.take()) await x.exchange.receive(frame);
  }
}

const codeOf = (state: SafetyState) => (state.kind === "code" ? state.code : null);

describe("the safety-code exchange between two honest ends", () => {
  it("gives both ends the same code, whoever starts first", async () => {
    for (const order of ["a first", "b first", "a's commit arrives before b starts"] as const) {
      const [a, b] = pair();
      if (order === "b first") {
        await b.start();
        await a.start();
      } else if (order === "a first") {
        await a.start();
        await b.start();
      } else {
        await a.start();
        for (const frame of a.take()) await b.exchange.receive(frame);
        await b.start();
      }
      await pump(a, b);
      expect(a.state.kind, order).toBe("code");
      expect(codeOf(a.state), order).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
      expect(codeOf(b.state), order).toBe(codeOf(a.state));
    }
  });

  it("shows no code until both ends have committed and revealed", async () => {
    const [a, b] = pair();
    await a.start();
    await b.start();
    // Each side's first frame is its commitment; nothing is revealed before the other's commitment arrives.
    expect(a.outbox.map((f) => parseSafetyFrame(f)?.type)).toEqual(["commit"]);
    for (const frame of a.take()) await b.exchange.receive(frame);
    expect(b.outbox.map((f) => parseSafetyFrame(f)?.type)).toEqual(["commit", "reveal"]);
    expect([a.state.kind, b.state.kind]).toEqual(["waiting", "waiting"]);
    for (const frame of b.take()) await a.exchange.receive(frame);
    // a has b's reveal and can show its code; b still waits for a's reveal.
    expect([a.state.kind, b.state.kind]).toEqual(["code", "waiting"]);
    await pump(a, b);
    expect(codeOf(b.state)).toBe(codeOf(a.state));
  });

  it("uses fresh nonces: the same two certificates give a new code each time", async () => {
    const codes = new Set<string | null>();
    for (let i = 0; i < 20; i++) {
      const [a, b] = pair();
      await Promise.all([a.start(), b.start()]);
      await pump(a, b);
      codes.add(codeOf(a.state));
    }
    expect(codes.has(null)).toBe(false);
    expect(codes.size).toBe(20);
  });
});

describe("a man in the middle", () => {
  /** Two DTLS sessions: Alice↔Mallory (his certificate m1) and Mallory↔Bob (m2). */
  function intercepted(options: { digits?: number; nonces?: [string, string] } = {}) {
    const [a, b, m1, m2] = [fp("a1"), fp("b2"), fp("c3"), fp("d4")];
    const alice = end({ local: a, remote: m1 }, { digits: options.digits, nonce: options.nonces?.[0] });
    const bob = end({ local: b, remote: m2 }, { digits: options.digits, nonce: options.nonces?.[1] });
    return { alice, bob, m1, m2 };
  }

  it("who relays every frame unchanged leaves both ends without a code", async () => {
    const { alice, bob } = intercepted();
    await Promise.all([alice.start(), bob.start()]);
    // Mallory decrypts each frame on one session and re-encrypts it on the other: the same text.
    await pump(alice, bob);
    // Each commitment names its sender's certificate, which is not the one the other end sees.
    expect(alice.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.badReveal });
    expect(bob.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.badReveal });
  });

  it("who runs an honest exchange on each side leaves the two ends with different codes", async () => {
    const { alice, bob, m1, m2 } = intercepted();
    const withAlice = end({ local: m1, remote: fp("a1") });
    const withBob = end({ local: m2, remote: fp("b2") });
    await Promise.all([alice.start(), bob.start(), withAlice.start(), withBob.start()]);
    await pump(alice, withAlice);
    await pump(withBob, bob);
    expect(alice.state.kind).toBe("code");
    expect(bob.state.kind).toBe("code");
    expect(codeOf(alice.state)).not.toBe(codeOf(bob.state));
  });

  it("learns nothing from Bob before committing: Bob reveals only in answer to a commitment", async () => {
    const { bob } = intercepted();
    await bob.start();
    expect(bob.take().map((f) => parseSafetyFrame(f)?.type)).toEqual(["commit"]);
    // Mallory sends nothing and waits: no reveal ever comes, and no code is shown.
    expect(bob.outbox).toEqual([]);
    expect(bob.state.kind).toBe("waiting");
  });
});

describe("protocol violations end the exchange without a code", () => {
  async function started() {
    const [a, b] = pair();
    await Promise.all([a.start(), b.start()]);
    return { a, b, bCommit: b.take()[0]! };
  }

  it("a reveal before a commitment", async () => {
    const { a } = await started();
    await a.exchange.receive(encodeSafetyFrame({ type: "reveal", nonce: "ab".repeat(32) }));
    expect(a.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.revealBeforeCommit });
  });

  it("a reveal before the other end could have seen our commitment", async () => {
    const [a] = pair();
    const nonce = "cd".repeat(32);
    await a.exchange.receive(encodeSafetyFrame({ type: "commit", hash: await commitment(fp("b2"), nonce) }));
    await a.exchange.receive(encodeSafetyFrame({ type: "reveal", nonce }));
    expect(a.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.revealBeforeOurCommit });
    // Starting afterwards changes nothing: a failed exchange stays failed.
    await a.start();
    expect(a.state.kind).toBe("failed");
    expect(a.outbox).toEqual([]);
  });

  it("a second commitment, even after the code was shown (the code is withdrawn)", async () => {
    const { a, b, bCommit } = await started();
    await a.exchange.receive(bCommit);
    await a.exchange.receive(bCommit);
    expect(a.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.doubleCommit });

    const [c, d] = pair();
    await Promise.all([c.start(), d.start()]);
    await pump(c, d);
    expect(c.state.kind).toBe("code");
    await c.exchange.receive(encodeSafetyFrame({ type: "commit", hash: "00".repeat(32) }));
    expect(c.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.doubleCommit });
    expect(c.states.map((s) => s.kind)).toEqual(["code", "failed"]);
    void b;
  });

  it("a reveal that does not open the commitment, and a second reveal", async () => {
    const { a, bCommit } = await started();
    await a.exchange.receive(bCommit);
    await a.exchange.receive(encodeSafetyFrame({ type: "reveal", nonce: "ef".repeat(32) }));
    expect(a.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.badReveal });

    const [c, d] = pair();
    await Promise.all([c.start(), d.start()]);
    await pump(c, d);
    const reveal = encodeSafetyFrame({ type: "reveal", nonce: "12".repeat(32) });
    await c.exchange.receive(reveal);
    expect(c.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.doubleReveal });
  });

  it("anything that is not a frame of the exchange", async () => {
    const bad: unknown[] = [
      "not json",
      new ArrayBuffer(8),
      JSON.stringify({ type: "commit" }),
      JSON.stringify({ type: "commit", hash: "AB".repeat(32) }),
      JSON.stringify({ type: "commit", hash: "ab".repeat(31) }),
      JSON.stringify({ type: "commit", hash: "ab".repeat(32), extra: 1 }),
      JSON.stringify({ type: "hello", nonce: "ab".repeat(32) }),
      JSON.stringify({ type: "reveal", nonce: "ab".repeat(32), pad: "x".repeat(300) }),
    ];
    for (const data of bad) {
      const { a } = await started();
      await a.exchange.receive(data);
      expect(a.state, String(data)).toEqual({ kind: "failed", reason: SAFETY_FAILURES.malformed });
    }
  });
});

/**
 * The attack the exchange exists for, on 2-digit codes so that odds of 1 in 100 show up in a
 * few thousand trials (12 digits are 1 in 10^12: the arithmetic is the same).
 */
describe("a server grinding its certificates (2-digit codes)", () => {
  const DIGITS = 2;
  const POOL = 30;
  /** Enough that a ground match exists in most trials (1 - 0.99^150 ≈ 78%). */
  const GRIND_TRIES = 150;

  /** The old scheme (v1, until this change): the code was a hash of the two sorted fingerprints, nothing else. */
  async function oldSchemeCode(x: CertificateFingerprint, y: CertificateFingerprint): Promise<string> {
    const pair = [canonicalFingerprint(x), canonicalFingerprint(y)].sort();
    const digest = await sha256(`natter safety code v1\n${pair.join("\n")}`);
    let value = 0n;
    for (const byte of digest.subarray(0, 8)) value = (value << 8n) | BigInt(byte);
    return (value % 10n ** BigInt(DIGITS)).toString().padStart(DIGITS, "0");
  }

  it("broke the old scheme nearly always: 30 certificates per side find a match", async () => {
    const trials = 200;
    let broken = 0;
    for (let t = 0; t < trials; t++) {
      const [alice, bob] = [fp(`a${t}`), fp(`b${t}`)];
      const pool = Array.from({ length: POOL }, (_, i) => fp(`c${t}d${i}`));
      // Mallory saw both real fingerprints in the SDP before choosing his own.
      const withAlice = new Set(await Promise.all(pool.map((m) => oldSchemeCode(alice, m))));
      const withBob = await Promise.all(pool.map((m) => oldSchemeCode(m, bob)));
      if (withBob.some((code) => withAlice.has(code))) broken++;
    }
    // 900 pairs against 100 codes: a miss takes (99/100)^900 ≈ 1 in 8,000.
    expect(broken / trials).toBeGreaterThan(0.95);
  });

  it("matches the two codes only by chance now (≈ 1/100), and every ground reveal is rejected", async () => {
    const trials = 2_000;
    let matched = 0;
    let rejected = 0;
    for (let t = 0; t < trials; t++) {
      const pool = Array.from({ length: POOL }, (_, i) => fp(`c${t}d${i}`));
      const [m1, m2] = [pool[0]!, pool[1]!];
      const { alice, bob } = intercepted(t, m1, m2);
      await Promise.all([alice.start(), bob.start()]);

      // Mallory's best order: finish with Alice first, so he knows her code before he talks to Bob.
      const mNonceA = await nonceFor(`mallory ${t} a`);
      const [aliceCommit] = alice.take();
      await alice.exchange.receive(encodeSafetyFrame({ type: "commit", hash: await commitment(m1, mNonceA) }));
      const aliceReveal = parseSafetyFrame(alice.take()[0]);
      if (
        aliceReveal?.type !== "reveal" ||
        (await commitment(fp(`a${t}`), aliceReveal.nonce)) !== parseCommit(aliceCommit)
      )
        throw new Error("Alice should have revealed a nonce that opens her commitment");
      await alice.exchange.receive(encodeSafetyFrame({ type: "reveal", nonce: mNonceA }));
      const target = codeOf(alice.state)!;

      // With Bob he must commit before Bob reveals; his pick is as good as any other.
      const mNonceB = await nonceFor(`mallory ${t} b`);
      bob.take();
      await bob.exchange.receive(encodeSafetyFrame({ type: "commit", hash: await commitment(m2, mNonceB) }));
      const bobReveal = parseSafetyFrame(bob.take()[0]);
      if (bobReveal?.type !== "reveal") throw new Error("Bob should reveal in answer to a commitment");
      const bobSide = { fingerprint: fp(`b${t}`), nonce: bobReveal.nonce };

      // Now he knows everything and grinds: his pool's certificates, each with new nonces.
      const committed = await safetyCode({ fingerprint: m2, nonce: mNonceB }, bobSide, DIGITS);
      let reveal = mNonceB;
      for (let k = 0; committed !== target && k < GRIND_TRIES; k++) {
        const candidate = { fingerprint: pool[k % POOL]!, nonce: k.toString(16).padStart(64, "0") };
        if ((await safetyCode(candidate, bobSide, DIGITS)) === target) reveal = candidate.nonce;
        if (reveal !== mNonceB) break;
      }
      await bob.exchange.receive(encodeSafetyFrame({ type: "reveal", nonce: reveal }));
      if (bob.state.kind === "code") {
        expect(codeOf(bob.state)).toBe(committed);
        if (codeOf(bob.state) === target) matched++;
      } else {
        expect(bob.state).toEqual({ kind: "failed", reason: SAFETY_FAILURES.badReveal });
        rejected++;
      }
    }
    // The ground reveals (most trials find one) were all refused.
    expect(rejected).toBeGreaterThan(trials * 0.6);
    // What is left is luck: the committed choice matched, 1 in 100 (binomial: 20 ± 4.5 of 2,000).
    expect(matched / trials).toBeGreaterThan(0.002);
    expect(matched / trials).toBeLessThan(0.025);
  }, 120_000);

  function intercepted(t: number, m1: CertificateFingerprint, m2: CertificateFingerprint) {
    return {
      alice: end({ local: fp(`a${t}`), remote: m1 }, { digits: DIGITS }),
      bob: end({ local: fp(`b${t}`), remote: m2 }, { digits: DIGITS }),
    };
  }

  function parseCommit(frame: string | undefined): string | null {
    const parsed = parseSafetyFrame(frame);
    return parsed?.type === "commit" ? parsed.hash : null;
  }
});
