/**
 * Safety codes: a short code per peer connection, derived from the DTLS certificate
 * fingerprints the two browsers actually use (read from getStats, not from the SDP the
 * server relayed). Both ends hash the same two fingerprints in the same (sorted) order,
 * so they see the same code exactly when nobody sits in the middle; a server that swapped
 * fingerprints to intercept would leave each side with a different pair, and so a
 * different code. Read aloud and compared, it proves the media path is end to end.
 */

/** Digits shown: 12 decimal digits carry log2(10^12) ≈ 39.9 bits. */
export const SAFETY_CODE_DIGITS = 12;
export const SAFETY_CODE_BITS = SAFETY_CODE_DIGITS * Math.log2(10);

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

/**
 * The code for a connection, as groups of three digits ("482 913 075 226"). Symmetric:
 * (local, remote) on one side gives the same code as (remote, local) on the other.
 */
export async function safetyCode(local: CertificateFingerprint, remote: CertificateFingerprint): Promise<string> {
  const pair = [canonicalFingerprint(local), canonicalFingerprint(remote)].sort();
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`natter safety code v1\n${pair.join("\n")}`)),
  );
  // 64 bits reduced to 12 digits: the modulo bias (2^64 / 10^12 is not whole) is below 10^-7.
  let value = 0n;
  for (const byte of digest.subarray(0, 8)) value = (value << 8n) | BigInt(byte);
  const digits = (value % 10n ** BigInt(SAFETY_CODE_DIGITS)).toString().padStart(SAFETY_CODE_DIGITS, "0");
  return digits.match(/\d{3}/g)!.join(" ");
}

/** What a getStats report says about the connection's DTLS transport: both certificates, once DTLS is up. */
export function fingerprintsFromStats(
  report: RTCStatsReport,
): { local: CertificateFingerprint; remote: CertificateFingerprint } | null {
  for (const stat of report.values()) {
    if (stat.type !== "transport" || stat.dtlsState !== "connected") continue;
    const local = report.get(stat.localCertificateId);
    const remote = report.get(stat.remoteCertificateId);
    if (!local || !remote) continue;
    return {
      local: { algorithm: local.fingerprintAlgorithm, value: local.fingerprint },
      remote: { algorithm: remote.fingerprintAlgorithm, value: remote.fingerprint },
    };
  }
  return null;
}
