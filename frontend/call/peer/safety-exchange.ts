import * as v from "valibot";
import { parseChannelFrame } from "./channel-frame";
import type { ConnectionFingerprints } from "./dtls-fingerprint";
import {
  type CertificateFingerprint,
  canonicalFingerprint,
  SAFETY_CODE_DIGITS,
  safetyCode,
  sha256,
  toHex,
} from "./safety-code";

/**
 * The commit-then-reveal exchange behind a safety code, after ZRTP's short authentication string
 * (RFC 6189, its hash commitment). Each end draws a fresh random nonce and:
 *
 *   1. sends `commit`: SHA-256 over its own certificate fingerprint and the nonce;
 *   2. sends `reveal` (the nonce) only once it holds the other end's commitment;
 *   3. checks the other end's nonce against that commitment and the certificate DTLS showed it;
 *   4. derives the code from both fingerprints and both nonces (safety-code.ts).
 *
 * Why it stops grinding: a man in the middle terminates two DTLS sessions, one with each person,
 * and the two codes match only if both sessions hash to the same digits. Each honest nonce stays
 * hidden until the man in the middle has committed, on that session, to his certificate and his
 * nonce, so whatever he picks, the code on that side is a fresh random number to him; he cannot
 * try a pool of certificates against it afterwards, because a changed certificate or nonce no
 * longer opens his commitment. One try per session: a match by luck is 1 in 10^12.
 *
 * Anything out of order (a reveal before a commitment, a second commitment, a reveal that does
 * not open the commitment, a frame that is not ours) ends the exchange as failed, for good: no
 * code is better than a code an attacker had a second try at.
 *
 * Framework-free: the caller feeds in the certificates and the peer's frames and sends what it is
 * given; the state comes back through onState.
 */

/** 32 random bytes: a commitment to them cannot be opened to another value, nor guessed. */
export const NONCE_BYTES = 32;
const COMMIT_CONTEXT = "natter safety commit v1";
/** Our frames are well under 100 characters; anything much longer is not ours. */
const MAX_FRAME_LENGTH = 256;
const HEX_256 = /^[0-9a-f]{64}$/;

const SafetyWire = v.variant("type", [
  v.strictObject({ type: v.literal("commit"), hash: v.pipe(v.string(), v.regex(HEX_256)) }),
  v.strictObject({ type: v.literal("reveal"), nonce: v.pipe(v.string(), v.regex(HEX_256)) }),
]);
export type SafetyFrame = v.InferOutput<typeof SafetyWire>;

export function encodeSafetyFrame(frame: SafetyFrame): string {
  return JSON.stringify(frame);
}

/** A frame from the peer's safety channel, or null for anything else. */
export function parseSafetyFrame(data: unknown): SafetyFrame | null {
  return parseChannelFrame(data, SafetyWire, MAX_FRAME_LENGTH);
}

/** The commitment an end sends for its certificate and nonce (hex). */
export async function commitment(fingerprint: CertificateFingerprint, nonce: string): Promise<string> {
  return toHex(await sha256(`${COMMIT_CONTEXT}\n${canonicalFingerprint(fingerprint)}\n${nonce.toLowerCase()}`));
}

export function freshNonce(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
}

export type SafetyState =
  /** The exchange has not finished (DTLS not up yet, or a frame still on its way). */
  | { kind: "waiting" }
  | { kind: "code"; code: string }
  /** The exchange broke its rules or could not run: there is no code to compare. */
  | { kind: "failed"; reason: SafetyFailure };

/** Why an exchange failed, as codes: the page says each in the person's language (the catalogs' safety* sentences). */
export const SAFETY_FAILURES = {
  /** The other end sent something that is not part of the exchange. */
  malformed: "malformed",
  /** It revealed its part before committing to it. */
  revealBeforeCommit: "revealBeforeCommit",
  /** It revealed its part before it could have seen our commitment. */
  revealBeforeOurCommit: "revealBeforeOurCommit",
  doubleCommit: "doubleCommit",
  doubleReveal: "doubleReveal",
  /** It revealed a part that does not match its commitment. */
  badReveal: "badReveal",
  /** The connection's certificates could not be read. */
  noCertificates: "noCertificates",
  /** The certificates changed after the code was made. */
  certificatesChanged: "certificatesChanged",
  /** The code could not be computed. */
  broken: "broken",
} as const;

export type SafetyFailure = keyof typeof SAFETY_FAILURES;

export interface SafetyExchangeOptions {
  /** Hands a frame to the peer: over the connection itself, so inside the DTLS session the code is about. */
  send(frame: string): void;
  onState(state: SafetyState): void;
  /** Our nonce; random unless a test plays a side with a chosen one. */
  nonce?: string;
  /** Shorter codes only for tests that measure odds. */
  digits?: number;
}

export class SafetyExchange {
  readonly #options: SafetyExchangeOptions;
  #state: SafetyState = { kind: "waiting" };
  #fingerprints: ConnectionFingerprints | null = null;
  #nonce: string | null = null;
  #theirCommitment: string | null = null;
  #theirNonce: string | null = null;
  #revealed = false;
  /** Steps run one at a time, in call order, though hashing is asynchronous. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: SafetyExchangeOptions) {
    this.#options = options;
  }

  get state(): SafetyState {
    return this.#state;
  }

  /** The certificates this exchange is about; null until start. */
  get fingerprints(): ConnectionFingerprints | null {
    return this.#fingerprints;
  }

  /** Begins our half, once DTLS is up and both certificates are known. Only the first call counts. */
  start(fingerprints: ConnectionFingerprints): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#fingerprints) return;
      this.#fingerprints = fingerprints;
      this.#nonce = this.#options.nonce ?? freshNonce();
      const hash = await commitment(fingerprints.local, this.#nonce);
      this.#options.send(encodeSafetyFrame({ type: "commit", hash }));
      if (this.#theirCommitment !== null) this.#reveal();
    });
  }

  /** One frame from the peer, unvalidated. */
  receive(data: unknown): Promise<void> {
    return this.#enqueue(async () => {
      const frame = parseSafetyFrame(data);
      if (!frame) return this.#fail(SAFETY_FAILURES.malformed);
      if (frame.type === "commit") {
        if (this.#theirCommitment !== null) return this.#fail(SAFETY_FAILURES.doubleCommit);
        this.#theirCommitment = frame.hash;
        if (this.#fingerprints) this.#reveal();
        return;
      }
      if (this.#theirCommitment === null) return this.#fail(SAFETY_FAILURES.revealBeforeCommit);
      // The peer may only reveal in answer to our commitment: earlier, it had nothing to wait for.
      if (!this.#fingerprints || !this.#nonce) return this.#fail(SAFETY_FAILURES.revealBeforeOurCommit);
      if (this.#theirNonce !== null) return this.#fail(SAFETY_FAILURES.doubleReveal);
      // Opened against the certificate DTLS showed us: a commitment made for another certificate fails here.
      if ((await commitment(this.#fingerprints.remote, frame.nonce)) !== this.#theirCommitment)
        return this.#fail(SAFETY_FAILURES.badReveal);
      this.#theirNonce = frame.nonce;
      const code = await safetyCode(
        { fingerprint: this.#fingerprints.local, nonce: this.#nonce },
        { fingerprint: this.#fingerprints.remote, nonce: frame.nonce },
        this.#options.digits ?? SAFETY_CODE_DIGITS,
      );
      this.#setState({ kind: "code", code });
    });
  }

  /** Ends the exchange without a code (the caller could not read the certificates, or they changed). */
  fail(reason: SafetyFailure): Promise<void> {
    return this.#enqueue(async () => this.#fail(reason));
  }

  #reveal(): void {
    if (this.#revealed || !this.#nonce) return;
    this.#revealed = true;
    this.#options.send(encodeSafetyFrame({ type: "reveal", nonce: this.#nonce }));
  }

  #fail(reason: SafetyFailure): void {
    this.#setState({ kind: "failed", reason });
  }

  #setState(state: SafetyState): void {
    this.#state = state;
    this.#options.onState(state);
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    // After a failure nothing changes any more: a later frame must not bring a code back.
    const run = this.#queue.then(() => (this.#state.kind === "failed" ? undefined : step()));
    this.#queue = run.catch((error: unknown) => {
      console.error("natter: the safety-code exchange failed", error);
      this.#fail(SAFETY_FAILURES.broken);
    });
    return this.#queue;
  }
}
