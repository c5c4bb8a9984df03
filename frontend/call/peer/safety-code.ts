/**
 * Safety codes: a short code per peer connection that both people read aloud. It mixes the DTLS
 * certificate fingerprints the two browsers actually use with one random nonce from each side,
 * exchanged commit-then-reveal over the connection itself (safety-exchange.ts). The fingerprints
 * tie the code to this DTLS session; the nonces stop a man in the middle from choosing his
 * certificates until the codes happen to match, because he must commit to his own choice before
 * he learns the honest side's nonce, and so before he can compute what any choice produces.
 */

/** Digits shown: 12 decimal digits carry log2(10^12) ≈ 39.9 bits. */
export const SAFETY_CODE_DIGITS = 12;
export const SAFETY_CODE_BITS = SAFETY_CODE_DIGITS * Math.log2(10);

/** The domain of the code's hash: v1 hashed the fingerprints alone and could be ground (see SECURITY.md). */
const CODE_CONTEXT = "natter safety code v2";

export interface CertificateFingerprint {
  /** e.g. "sha-256" */
  algorithm: string;
  /** e.g. "AB:CD:…" (case and separators vary between browsers; normalized before hashing) */
  value: string;
}

/** One canonical text per fingerprint, so formatting differences cannot change the code. */
export function canonicalFingerprint({ algorithm, value }: CertificateFingerprint): string {
  const hex = value.replace(/[^0-9a-f]/gi, "").toLowerCase();
  return `${algorithm.trim().toLowerCase()} ${hex}`;
}

/** What one end contributes to the code: its certificate and the nonce it revealed (hex). */
export interface SafetySide {
  fingerprint: CertificateFingerprint;
  nonce: string;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function sha256(data: string | BufferSource): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * The code for a connection, as groups of three digits ("482 913 075 226"). Symmetric: the two
 * sides are sorted before hashing, so both ends compute the same code from (ours, theirs).
 * `digits` is smaller only in tests that measure an attacker's odds on a code short enough to hit.
 */
export async function safetyCode(a: SafetySide, b: SafetySide, digits = SAFETY_CODE_DIGITS): Promise<string> {
  const sides = [a, b].map((side) => `${canonicalFingerprint(side.fingerprint)} ${side.nonce.toLowerCase()}`).sort();
  const digest = await sha256(`${CODE_CONTEXT}\n${sides.join("\n")}`);
  // 64 bits reduced to at most 12 digits: the modulo bias (2^64 / 10^12 is not whole) is below 10^-7.
  let value = 0n;
  for (const byte of digest.subarray(0, 8)) value = (value << 8n) | BigInt(byte);
  const text = (value % 10n ** BigInt(digits)).toString().padStart(digits, "0");
  return text.match(/\d{1,3}/g)!.join(" ");
}
