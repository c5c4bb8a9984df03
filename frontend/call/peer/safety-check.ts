/**
 * A connection's safety code: its own data channel (so its frames never mix with chat), the
 * commit-then-reveal exchange over it (safety-exchange.ts), and the watch on the certificates the
 * code was made from. One per connection: a peer with a new certificate is a new connection.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import { type ConnectionFingerprints, connectionFingerprints } from "./dtls-fingerprint";
import { canonicalFingerprint } from "./safety-code";
import { SAFETY_FAILURES, SafetyExchange, type SafetyState } from "./safety-exchange";

/** Attempts to read a connection's certificates (on open, then one per quality poll) before its code fails. */
const CERTIFICATE_READS = 5;

export class SafetyCheck {
  readonly #pc: RTCPeerConnection;
  readonly #channel: RTCDataChannel;
  readonly #exchange: SafetyExchange;
  readonly #state = signal<SafetyState>({ kind: "waiting" });
  /** Waiting, the code, or failed if the exchange broke its rules. */
  readonly state: ReadonlySignal<SafetyState> = this.#state;
  /** Failed attempts to read the certificates for the exchange (see CERTIFICATE_READS). */
  #certificateReads = 0;

  constructor(pc: RTCPeerConnection) {
    this.#pc = pc;
    // Negotiated like chat, so it rides in the same first offer. It opens once DTLS is up, which
    // is when both certificates can be read.
    this.#channel = pc.createDataChannel("safety", { negotiated: true, id: 1 });
    this.#exchange = new SafetyExchange({
      send: (frame) => {
        if (this.#channel.readyState === "open") this.#channel.send(frame);
      },
      onState: (state) => {
        this.#state.value = state;
      },
    });
    this.#channel.onopen = () => void this.#start();
    this.#channel.onmessage = ({ data }: MessageEvent<unknown>) => void this.#exchange.receive(data);
  }

  async #start(): Promise<void> {
    if (this.#exchange.fingerprints || this.#exchange.state.kind === "failed") return;
    const fingerprints = await connectionFingerprints(this.#pc).catch(() => null);
    if (fingerprints) return this.#exchange.start(fingerprints);
    // The channel opens after the DTLS handshake, so this is not expected; still, a browser that
    // reports the transport a moment late should not cost the call its code: the quality poll retries.
    this.#certificateReads += 1;
    if (this.#certificateReads >= CERTIFICATE_READS) await this.#exchange.fail(SAFETY_FAILURES.noCertificates);
  }

  /**
   * Called every quality poll. A code is about the certificates it was made with. natter never
   * changes them within one connection, so if they do change (a DTLS restart the server
   * provoked), the code is withdrawn.
   */
  async checkCertificates(): Promise<void> {
    const made = this.#exchange.fingerprints;
    if (!made && this.#channel.readyState === "open") return this.#start();
    if (!made || this.#exchange.state.kind === "failed") return;
    const now = await connectionFingerprints(this.#pc).catch(() => null);
    if (now && !sameFingerprints(now, made)) await this.#exchange.fail(SAFETY_FAILURES.certificatesChanged);
  }

  close(): void {
    this.#channel.onopen = null;
    this.#channel.onmessage = null;
  }
}

function sameFingerprints(a: ConnectionFingerprints, b: ConnectionFingerprints): boolean {
  return (
    canonicalFingerprint(a.local) === canonicalFingerprint(b.local) &&
    canonicalFingerprint(a.remote) === canonicalFingerprint(b.remote)
  );
}
