/**
 * Safety codes in SFU mode. There, DTLS ends at the SFU, so the DTLS certificates say nothing
 * about who can read the media; what protects it is the pair's X25519 identity keys, from which
 * the pairwise key that wraps every sender key is derived (call/e2ee/). The code is therefore
 * made from those two public keys in the place of the two certificates, with the same
 * commit-then-reveal exchange (safety-exchange.ts) and the same rules:
 *
 *   commit = SHA-256("natter safety commit v1" ‖ "x25519 <own public key>" ‖ nonce)
 *   code   = SHA-256("natter safety code v2" ‖ both "x25519 <key> <nonce>", sorted), 12 digits
 *
 * Each end commits to its *own* key and opens the other's commitment against the key it actually
 * derived the pairwise key from. A room or SFU that swaps public keys to sit in the middle holds
 * a different key on each side, so the two codes differ (1 in 10^12 by luck), and it cannot
 * grind keys until they match: it commits before it sees an honest nonce. The label "x25519"
 * keeps these inputs apart from the "sha-256 …" certificate fingerprints of mesh mode.
 *
 * The frames travel as `safety` messages over the room socket (common/e2ee-signal.ts) instead of
 * a data channel: the rules do not depend on the path, only on the order.
 */
import type { ConnectionFingerprints } from "./dtls-fingerprint";
import { type CertificateFingerprint, SAFETY_CODE_DIGITS, safetyCode, toHex } from "./safety-code";

export const IDENTITY_ALGORITHM = "x25519";

/** An identity public key in the form the safety exchange hashes. */
export function identityFingerprint(publicKey: Uint8Array): CertificateFingerprint {
  return { algorithm: IDENTITY_ALGORITHM, value: toHex(publicKey) };
}

/**
 * What one end's exchange is about: its own identity key, and the peer's key *as this end uses
 * it* (the one its pairwise key came from), never a key merely relayed for display.
 */
export function identityFingerprints(own: Uint8Array, peer: Uint8Array): ConnectionFingerprints {
  return { local: identityFingerprint(own), remote: identityFingerprint(peer) };
}

export interface IdentitySide {
  publicKey: Uint8Array;
  /** The nonce this end revealed (hex). */
  nonce: string;
}

/** The code of a pair in SFU mode; symmetric like safetyCode. */
export function identitySafetyCode(a: IdentitySide, b: IdentitySide, digits = SAFETY_CODE_DIGITS): Promise<string> {
  return safetyCode(
    { fingerprint: identityFingerprint(a.publicKey), nonce: a.nonce },
    { fingerprint: identityFingerprint(b.publicKey), nonce: b.nonce },
    digits,
  );
}
