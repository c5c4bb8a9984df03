import { describe, expect, it } from "vitest";
import {
  connectionFingerprints,
  fingerprintOfCertificate,
  sha256FingerprintFromSdp,
} from "../../frontend/call/peer/dtls-fingerprint";
import {
  canonicalFingerprint,
  SAFETY_CODE_BITS,
  SAFETY_CODE_DIGITS,
  safetyCode,
} from "../../frontend/call/peer/safety-code";
import chromium from "./fixtures/sdp-chromium.json";
import firefox from "./fixtures/sdp-firefox.json";

const fp = (seed: number) => ({
  algorithm: "sha-256",
  // The seed's four bytes first, then filler: distinct seeds give distinct fingerprints.
  value: Array.from({ length: 32 }, (_, i) =>
    (i < 4 ? (seed >>> (8 * i)) & 0xff : (i * 7) % 256).toString(16).padStart(2, "0"),
  )
    .join(":")
    .toUpperCase(),
});
const nonce = (seed: number) => seed.toString(16).padStart(64, "0");
const side = (seed: number, nonceSeed = seed) => ({ fingerprint: fp(seed), nonce: nonce(nonceSeed) });

function der(base64: string): ArrayBuffer {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
}

describe("safety codes", () => {
  it("are the same on both ends of a connection", async () => {
    const [a, b] = [side(1), side(2)];
    expect(await safetyCode(a, b)).toBe(await safetyCode(b, a));
  });

  it("change when either fingerprint or either nonce changes", async () => {
    const code = await safetyCode(side(1), side(2));
    expect(await safetyCode(side(3, 1), side(2))).not.toBe(code);
    expect(await safetyCode(side(1), side(4, 2))).not.toBe(code);
    expect(await safetyCode(side(1, 5), side(2))).not.toBe(code);
    expect(await safetyCode(side(1), side(2, 6))).not.toBe(code);
  });

  it("ignore how a browser formats the fingerprint", async () => {
    const a = fp(1);
    const lower = { algorithm: "SHA-256", value: a.value.toLowerCase() };
    expect(canonicalFingerprint(lower)).toBe(canonicalFingerprint(a));
    expect(await safetyCode({ fingerprint: lower, nonce: nonce(1) }, side(2))).toBe(await safetyCode(side(1), side(2)));
  });

  it(`show ${SAFETY_CODE_DIGITS} digits in groups of three, at least 30 bits`, async () => {
    const code = await safetyCode(side(1), side(2));
    expect(code).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(SAFETY_CODE_BITS).toBeGreaterThanOrEqual(30);
    expect(SAFETY_CODE_BITS).toBeCloseTo(39.86, 1);
  });

  it("spread over the whole range (no collisions in 2,000 pairs)", async () => {
    const codes = new Set<string>();
    for (let n = 0; n < 2_000; n++) codes.add(await safetyCode(side(n), side(n + 100_000)));
    expect(codes.size).toBe(2_000);
  });
});

describe("reading the certificates a connection uses", () => {
  for (const [browser, sample] of [
    ["Chromium (a fingerprint on every media section)", chromium],
    ["Firefox (one fingerprint at session level)", firefox],
  ] as const) {
    it(`finds the certificate's SHA-256 in a real ${browser} description`, async () => {
      const fromSdp = sha256FingerprintFromSdp(sample.answer);
      const fromCertificate = await fingerprintOfCertificate(der(sample.answererCertificate));
      expect(fromSdp).not.toBeNull();
      // Formatted alike, so a code made from either source is the same code.
      expect(fromSdp).toEqual(fromCertificate);
      // The offer is the other browser's certificate.
      expect(sha256FingerprintFromSdp(sample.offer)).not.toEqual(fromCertificate);
    });

    it(`reads both certificates of a connected ${browser} connection`, async () => {
      const offerer = browserSide(sample.offer, sample.answererCertificate, "connected");
      expect(await connectionFingerprints(offerer)).toEqual({
        local: sha256FingerprintFromSdp(sample.offer),
        remote: sha256FingerprintFromSdp(sample.answer),
      });
      // Before the DTLS handshake there is nothing to vouch for the peer's certificate yet.
      expect(await connectionFingerprints(browserSide(sample.offer, sample.answererCertificate, "connecting"))).toBe(
        null,
      );
    });
  }

  it("reads the peer's certificate from the remote description in a browser without getRemoteCertificates (Firefox ESR 140)", async () => {
    // Firefox ESR 140's RTCDtlsTransport has no getRemoteCertificates; once connected, DTLS has
    // checked the peer's certificate against the remote description's fingerprint.
    const side = (state: RTCDtlsTransportState, remoteSdp: string | undefined) =>
      ({
        currentLocalDescription: { type: "answer", sdp: firefox.answer },
        localDescription: { type: "answer", sdp: firefox.answer },
        currentRemoteDescription: remoteSdp === undefined ? null : { type: "offer", sdp: remoteSdp },
        remoteDescription: remoteSdp === undefined ? null : { type: "offer", sdp: remoteSdp },
        sctp: { transport: { state } },
        getReceivers: () => [],
      }) as unknown as RTCPeerConnection;
    expect(await connectionFingerprints(side("connected", chromium.answer))).toEqual({
      local: sha256FingerprintFromSdp(firefox.answer),
      // The same as Chromium's own certificate hashed, which a browser with getRemoteCertificates reads.
      remote: await fingerprintOfCertificate(der(chromium.answererCertificate)),
    });
    expect(await connectionFingerprints(side("connecting", chromium.answer))).toBeNull();
    // A description it cannot be sure of (two certificates in one bundle) gives no code rather than a wrong one.
    const split = chromium.offer.replace(
      /(a=fingerprint:sha-256 )\S+(\r\na=setup:actpass\r\na=mid:2)/,
      `$1${fp(1).value}$2`,
    );
    expect(await connectionFingerprints(side("connected", split))).toBeNull();
  });

  it("gives both ends of a Chromium↔Firefox call the same fingerprints to hash", async () => {
    // Firefox's own description against the SHA-256 Chromium would take of Firefox's certificate.
    const firefoxSays = sha256FingerprintFromSdp(firefox.answer)!;
    const chromiumComputes = await fingerprintOfCertificate(der(firefox.answererCertificate));
    const chromiumSays = sha256FingerprintFromSdp(chromium.answer)!;
    const firefoxComputes = await fingerprintOfCertificate(der(chromium.answererCertificate));
    const n = [nonce(7), nonce(8)];
    expect(
      await safetyCode({ fingerprint: firefoxSays, nonce: n[0]! }, { fingerprint: firefoxComputes, nonce: n[1]! }),
    ).toBe(
      await safetyCode({ fingerprint: chromiumSays, nonce: n[1]! }, { fingerprint: chromiumComputes, nonce: n[0]! }),
    );
  });

  it("takes the SHA-256 line among others, and refuses descriptions it cannot be sure of", () => {
    const value = fp(1).value;
    const withSha1 = `v=0\r\na=fingerprint:sha-1 AA:BB\r\na=fingerprint:sha-256 ${value.toLowerCase()}\r\n`;
    expect(sha256FingerprintFromSdp(withSha1)).toEqual({ algorithm: "sha-256", value });
    // Two different certificates in one bundle: which one DTLS uses is anybody's guess.
    const split = chromium.offer.replace(/(a=fingerprint:sha-256 )\S+(\r\na=setup:actpass\r\na=mid:2)/, `$1${value}$2`);
    expect(split).not.toBe(chromium.offer);
    expect(sha256FingerprintFromSdp(split)).toBeNull();
    expect(sha256FingerprintFromSdp("v=0\r\na=fingerprint:sha-384 AA:BB\r\n")).toBeNull();
    expect(sha256FingerprintFromSdp(undefined)).toBeNull();
  });
});

/**
 * The two things the page reads from a browser's RTCPeerConnection, filled with what a real
 * browser returned: its local description and the certificate its DTLS transport received.
 */
function browserSide(localSdp: string, remoteCertificate: string, state: RTCDtlsTransportState): RTCPeerConnection {
  const transport = { state, getRemoteCertificates: () => [der(remoteCertificate)] };
  return {
    currentLocalDescription: { type: "offer", sdp: localSdp },
    localDescription: { type: "offer", sdp: localSdp },
    sctp: { transport },
    getReceivers: () => [],
  } as unknown as RTCPeerConnection;
}
