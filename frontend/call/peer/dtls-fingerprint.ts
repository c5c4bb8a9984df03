import { type CertificateFingerprint, sha256, toHex } from "./safety-code";

/**
 * Which certificates a connection uses, the same way in every browser (Firefox's getStats has no
 * certificate stats, so getStats cannot be the source everywhere, and one path keeps the codes of
 * a Chromium↔Firefox call identical by construction):
 *
 * - ours: the `a=fingerprint` of our own local description. Our browser wrote it from the
 *   certificate it was created with, which never changes for the connection's life; the server
 *   never touches it.
 * - theirs: SHA-256 over the certificate the peer presented in the DTLS handshake
 *   (RTCDtlsTransport.getRemoteCertificates), so not the text the server relayed. It equals the
 *   remote description's fingerprint, because DTLS refuses a certificate that does not match it.
 *   Where the browser has no getRemoteCertificates (Firefox ESR 140; 153 has it), that equality is
 *   what we use: once the DTLS transport is connected, the certificate the peer presented matched
 *   the remote description's one sha-256 fingerprint, so that fingerprint IS the certificate's.
 *   A server that swapped it sits in the middle with a certificate of its own, and the two ends
 *   then hash different certificates either way: the codes differ, as they should.
 *
 * Both are SHA-256: every browser puts a sha-256 fingerprint in its descriptions.
 */
export interface ConnectionFingerprints {
  local: CertificateFingerprint;
  remote: CertificateFingerprint;
}

/**
 * The SHA-256 `a=fingerprint` of an SDP: at session level (Firefox) or on every media section
 * (Chromium; under BUNDLE they are all the same certificate). Null if there is none, or if the
 * lines disagree: then we cannot say which certificate is in use, and no code beats a wrong one.
 */
export function sha256FingerprintFromSdp(sdp: string | undefined): CertificateFingerprint | null {
  const values = new Set<string>();
  for (const match of sdp?.matchAll(/^a=fingerprint:\s*sha-256\s+([0-9a-f:]+)\s*$/gim) ?? []) {
    values.add(match[1]!.toUpperCase());
  }
  if (values.size !== 1) return null;
  return { algorithm: "sha-256", value: [...values][0]! };
}

/** The fingerprint of a DER certificate, formatted as browsers write it in SDP. */
export async function fingerprintOfCertificate(der: ArrayBuffer): Promise<CertificateFingerprint> {
  const hex = toHex(await sha256(der)).toUpperCase();
  return { algorithm: "sha-256", value: hex.match(/../g)!.join(":") };
}

/** Both certificates of a connection whose DTLS handshake is done; null before that or if unreadable. */
export async function connectionFingerprints(pc: RTCPeerConnection): Promise<ConnectionFingerprints | null> {
  const local = sha256FingerprintFromSdp((pc.currentLocalDescription ?? pc.localDescription)?.sdp);
  // With max-bundle, media and data share one DTLS transport; the data channel's is there first.
  const transport = pc.sctp?.transport ?? pc.getReceivers()[0]?.transport ?? null;
  if (!local || transport?.state !== "connected") return null;
  if (typeof transport.getRemoteCertificates !== "function") {
    // Connected, so DTLS checked the peer's certificate against exactly this fingerprint.
    const remote = sha256FingerprintFromSdp((pc.currentRemoteDescription ?? pc.remoteDescription)?.sdp);
    return remote && { local, remote };
  }
  const [certificate] = transport.getRemoteCertificates();
  if (!certificate) return null;
  return { local, remote: await fingerprintOfCertificate(certificate) };
}
