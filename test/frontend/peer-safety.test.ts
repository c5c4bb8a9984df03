/**
 * The safety-code wiring of a peer connection: its own negotiated channel, the exchange started
 * once DTLS is up, the code withdrawn when the certificates change. The RTCPeerConnection under
 * it is a fake (fake-rtc.ts) whose certificates are real bytes; the exchange and the hashing are
 * the real ones. Real browsers are in test/e2e/safety-code.test.ts.
 */
import { describe, expect, it, vi } from "vitest";
import type { SignalData } from "../../common/protocol";
import { fingerprintOfCertificate } from "../../frontend/call/peer/dtls-fingerprint";
import { PeerConnection } from "../../frontend/call/peer/peer-connection";
import { QUALITY_POLL_MS } from "../../frontend/call/peer/quality";
import { SAFETY_FAILURES } from "../../frontend/call/peer/safety-exchange";
import { type FakeDataChannel, FakeRTCPeerConnection, fakeStream, fakeTrack, useFakeRTC } from "./fake-rtc";

const ADA = "1".repeat(32);
const BO = "9".repeat(32);

/** A stand-in for a DER certificate: only its SHA-256 matters here. */
const certificate = (label: string) => new TextEncoder().encode(`certificate of ${label}`).buffer as ArrayBuffer;

/** What the fake's DTLS transport reports; a test changes it to play a browser. */
interface FakeTransport {
  state: RTCDtlsTransportState;
  getRemoteCertificates(): ArrayBuffer[];
}

/** Ada and Bo, negotiated through each other's handleSignal, their certificates set to real bytes. */
async function call() {
  const signals: [PeerConnection | null, PeerConnection | null] = [null, null];
  const make = (selfId: string, peerId: string, to: 0 | 1) =>
    new PeerConnection({
      selfId,
      peerId,
      localStream: fakeStream([fakeTrack("audio")]),
      sendSignal: (data: SignalData) => void signals[to]?.handleSignal(data),
    });
  const certificates = { ada: certificate("ada"), bo: certificate("bo") };
  const fingerprints = {
    ada: (await fingerprintOfCertificate(certificates.ada)).value,
    bo: (await fingerprintOfCertificate(certificates.bo)).value,
  };
  const ada = make(ADA, BO, 1);
  const bo = make(BO, ADA, 0);
  signals[0] = ada;
  signals[1] = bo;
  const [adaFake, boFake] = FakeRTCPeerConnection.created.slice(-2) as [FakeRTCPeerConnection, FakeRTCPeerConnection];
  // Each fake's description carries the SHA-256 of its own certificate, as a browser's does
  // (set before the first offer, which waits for a microtask).
  Object.assign(adaFake, { fingerprint: fingerprints.ada });
  Object.assign(boFake, { fingerprint: fingerprints.bo });
  const transports: [FakeTransport, FakeTransport] = [
    { state: "new", getRemoteCertificates: () => [certificates.bo] },
    { state: "new", getRemoteCertificates: () => [certificates.ada] },
  ];
  Object.assign(adaFake, { sctp: { transport: transports[0] } });
  Object.assign(boFake, { sctp: { transport: transports[1] } });
  await vi.advanceTimersByTimeAsync(0);
  expect(adaFake.signalingState).toBe("stable");
  expect(boFake.signalingState).toBe("stable");
  return { ada, bo, adaFake, boFake, transports, certificates };
}

const safetyChannel = (fake: FakeRTCPeerConnection): FakeDataChannel => {
  const channel = fake.channels.find((c) => c.label === "safety");
  if (!channel) throw new Error("no safety channel");
  return channel;
};

/**
 * DTLS and SCTP come up: the transports say so (Ada's may say something else, to play a browser
 * that reports it late) and both safety channels open.
 */
async function connect(
  fakes: FakeRTCPeerConnection[],
  transports: FakeTransport[],
  adaTransport: RTCDtlsTransportState = "connected",
) {
  for (const transport of transports) transport.state = "connected";
  transports[0]!.state = adaTransport;
  for (const fake of fakes) {
    fake.setIceState("connected");
    const channel = safetyChannel(fake);
    channel.readyState = "open";
    channel.onopen?.();
  }
  await vi.advanceTimersByTimeAsync(0);
}

// WebCrypto finishes on Node's thread pool, not in a microtask, so fake timers alone never see
// it done: waiting takes real turns of the event loop, kept from before the timers were faked.
const realSetTimeout = setTimeout;

/** Lets time stand still but the event loop turn until `done`, carrying safety frames between the two fakes if given. */
async function until(done: () => boolean, between?: [FakeRTCPeerConnection, FakeRTCPeerConnection]): Promise<void> {
  const delivered = [0, 0];
  for (let turn = 0; !done(); turn++) {
    if (turn > 2_000) throw new Error("until: the condition never came true");
    if (between) {
      const [ca, cb] = between.map(safetyChannel) as [FakeDataChannel, FakeDataChannel];
      for (const data of ca.sent.slice(delivered[0])) cb.onmessage?.(new MessageEvent("message", { data }));
      delivered[0] = ca.sent.length;
      for (const data of cb.sent.slice(delivered[1])) ca.onmessage?.(new MessageEvent("message", { data }));
      delivered[1] = cb.sent.length;
    }
    await vi.advanceTimersByTimeAsync(0);
    await new Promise((resolve) => realSetTimeout(resolve, 0));
  }
}

const kinds = (...pcs: PeerConnection[]) => pcs.map((pc) => pc.safetyCode.value.kind);

describe("a peer connection's safety code", () => {
  useFakeRTC({ fakeTimers: true });

  it("has its own negotiated channel next to chat", async () => {
    const { adaFake } = await call();
    expect(adaFake.channels.map((c) => c.label)).toEqual(["chat", "safety"]);
  });

  it("waits for the exchange, then shows the same code on both ends", async () => {
    const { ada, bo, adaFake, boFake, transports } = await call();
    expect(ada.safetyCode.value).toEqual({ kind: "waiting" });
    await connect([adaFake, boFake], transports);
    await until(() => safetyChannel(adaFake).sent.length > 0 && safetyChannel(boFake).sent.length > 0);
    // Both committed; nothing crossed yet, so neither has a code.
    expect(safetyChannel(adaFake).sent.map((f) => JSON.parse(f).type)).toEqual(["commit"]);
    expect(kinds(ada, bo)).toEqual(["waiting", "waiting"]);
    await until(() => kinds(ada, bo).every((kind) => kind !== "waiting"), [adaFake, boFake]);
    const code = ada.safetyCode.value;
    expect(code.kind).toBe("code");
    expect(bo.safetyCode.value).toEqual(code);
  });

  it("withdraws the code if the certificates in use change", async () => {
    const { ada, bo, adaFake, boFake, transports } = await call();
    await connect([adaFake, boFake], transports);
    await until(() => kinds(ada, bo).every((kind) => kind === "code"), [adaFake, boFake]);
    // Polls with the same certificates leave the code alone.
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS * 2);
    await until(() => true);
    expect(ada.safetyCode.value.kind).toBe("code");

    transports[0].getRemoteCertificates = () => [certificate("someone else")];
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    await until(() => ada.safetyCode.value.kind !== "code");
    expect(ada.safetyCode.value).toEqual({ kind: "failed", reason: SAFETY_FAILURES.certificatesChanged });
    expect(bo.safetyCode.value.kind).toBe("code");
  });

  it("starts the exchange on a later poll if the certificates were not readable when its channel opened", async () => {
    const { ada, bo, adaFake, boFake, transports } = await call();
    await connect([adaFake, boFake], transports, "connecting");
    expect(safetyChannel(adaFake).sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS * 2);
    expect(ada.safetyCode.value.kind).toBe("waiting");

    transports[0].state = "connected";
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS);
    await until(() => safetyChannel(adaFake).sent.length > 0);
    expect(safetyChannel(adaFake).sent.map((f) => JSON.parse(f).type)).toEqual(["commit"]);
    await until(() => kinds(ada, bo).every((kind) => kind !== "waiting"), [adaFake, boFake]);
    expect(ada.safetyCode.value.kind).toBe("code");
    expect(bo.safetyCode.value).toEqual(ada.safetyCode.value);
  });

  it("gives up with a clear state, and no code, if the certificates never become readable", async () => {
    const { ada, adaFake, boFake, transports } = await call();
    await connect([adaFake, boFake], transports, "failed");
    await vi.advanceTimersByTimeAsync(QUALITY_POLL_MS * 6);
    expect(ada.safetyCode.value).toEqual({ kind: "failed", reason: SAFETY_FAILURES.noCertificates });
    expect(safetyChannel(adaFake).sent).toEqual([]);
  });
});
