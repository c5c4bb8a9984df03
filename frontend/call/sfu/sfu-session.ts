/**
 * This member's connection to the SFU in SFU mode (not used by calls yet): ONE RTCPeerConnection,
 * as a Cloudflare Realtime session is one WebRTC connection, that publishes our tracks and pulls
 * other members' tracks. The browser never talks to the SFU itself: every offer and answer goes
 * through the room (sfu-requests.ts), which makes the SFU calls with the app secret.
 *
 *   publish  our offer (sendonly transceivers)  → sfu-publish  → sfu-published{answer}
 *   pull     sfu-pull → sfu-pulled{offer?, tracks} → our answer → sfu-renegotiate → sfu-renegotiated
 *   close    our offer (stopped transceivers)    → sfu-close    → sfu-closed{answer}
 *   layer    sfu-layer → sfu-layer-set (no renegotiation)
 *
 * Operations run one after another, each to its end: a connection has one offer in flight at a
 * time, and the SFU's offer must not cross one of ours.
 *
 * A pulled track is known by the mid the room names for it. sfu-pulled may come without an offer
 * (the SFU needed no renegotiation: the track rides on the next offer), so pulled tracks wait here
 * until an applied offer has given their mid a transceiver, and every one is handed out then,
 * exactly once, to `onTrack`.
 *
 * After a request timed out, the room may still carry it out later; this side does not know what
 * the SFU holds then, and the caller should start a new session.
 *
 * End-to-end encryption (`protect`, sfu-security.ts): DTLS ends at the SFU, so every frame is
 * encrypted in the browser by an encoded transform. A sender gets its transform between
 * addTransceiver and our offer; a pulled receiver right after the SFU's offer has created its
 * transceiver, before our answer exists, so not one frame of either passes untransformed (a
 * receiver that decodes one frame in the clear, or misses its first key frame, can stay black).
 *
 * Tearing down: stopping a receiver that has an encoded transform crashed Chromium 156 (an
 * earlier stop's finding). What this class does, and what stays safe: it never stops a pulled
 * receiver's track, never sets `transform` back to null, never removes a transceiver from under
 * its transform; close() stops transceivers only as part of a renegotiation the SFU answers (the
 * m-section goes inactive, the same path a remote offer that drops a track takes), and dispose()
 * closes the whole connection, which ends every transform with it.
 */
import type { SfuReply, SfuRequest } from "./sfu-requests";

/** What the session needs to reach the SFU: SfuRequests, or anything that sends one request and hears its reply. */
export interface SfuRequester {
  request<R extends SfuRequest>(request: R): Promise<SfuReply<R>>;
}

export interface SfuLocalTrack {
  track: MediaStreamTrack;
  /** The name other members pull it by (1-64 of A-Z a-z 0-9 _ -), unique among our tracks. */
  trackName: string;
  /** Simulcast layers, each with its RID (the layer name sfu-layer picks); none for one layer. */
  sendEncodings?: RTCRtpEncodingParameters[];
}

export interface SfuPulledTrack {
  from: string;
  trackName: string;
  mid: string;
  track: MediaStreamTrack;
}

/** Puts the end-to-end encryption transforms on the session's senders and receivers (SfuSecurity). */
export interface SfuProtection {
  /** Extra configuration the transforms need (encodedInsertableStreams for Chromium's older API). */
  readonly configuration?: RTCConfiguration;
  /** A published sender, after addTransceiver and before the offer. */
  sender(sender: RTCRtpSender): void;
  /** A pulled receiver carrying member `from`'s track, after the SFU's offer and before our answer. */
  receiver(receiver: RTCRtpReceiver, from: string): void;
}

export interface SfuSessionOptions {
  requests: SfuRequester;
  /** The ICE servers the call already uses (IceServers.servers), or none. */
  configuration?: RTCConfiguration;
  /** Encrypts every frame we send and decrypts every frame we pull; none only in tests of the plain path. */
  protect?: SfuProtection;
  /** Each pulled track, once, as soon as an applied offer has brought it. */
  onTrack?(pulled: SfuPulledTrack): void;
}

export class SfuSessionDisposed extends Error {
  constructor() {
    super("The SFU session was disposed.");
    this.name = "SfuSessionDisposed";
  }
}

export class SfuSession {
  readonly #requests: SfuRequester;
  readonly #onTrack: (pulled: SfuPulledTrack) => void;
  readonly #protect: SfuProtection | undefined;
  readonly #pc: RTCPeerConnection;
  /** Receivers that have their transform: createEncodedStreams may be called only once per receiver. */
  readonly #protected = new WeakSet<RTCRtpReceiver>();
  /** Pulled tracks, by mid, that no applied offer has brought yet. */
  readonly #awaiting = new Map<string, Omit<SfuPulledTrack, "track">>();
  #chain: Promise<unknown> = Promise.resolve();
  #disposed = false;

  constructor(options: SfuSessionOptions) {
    this.#requests = options.requests;
    this.#onTrack = options.onTrack ?? (() => {});
    this.#protect = options.protect;
    this.#pc = new RTCPeerConnection({ ...options.configuration, ...options.protect?.configuration });
  }

  /** The connection, for its stats and state; negotiate only through this class. */
  get connection(): RTCPeerConnection {
    return this.#pc;
  }

  /** Publishes `tracks`; resolves with the ones the SFU took, by mid (a refused one is left out). */
  publish(tracks: readonly SfuLocalTrack[]): Promise<{ mid: string; trackName: string }[]> {
    return this.#run(async () => {
      const pc = this.#pc;
      const transceivers = tracks.map(({ track, sendEncodings }) =>
        pc.addTransceiver(track, { direction: "sendonly", ...(sendEncodings && { sendEncodings }) }),
      );
      try {
        // Before the offer: the encoder's first frame already goes through the transform.
        if (this.#protect) for (const t of transceivers) this.#protect.sender(t.sender);
        await pc.setLocalDescription(await pc.createOffer());
        const asked = transceivers.map((t, i) => ({ mid: t.mid ?? "", trackName: tracks[i]!.trackName }));
        const reply = await this.#requests.request({ type: "sfu-publish", offer: sdpOf(pc), tracks: asked });
        await pc.setRemoteDescription({ type: "answer", sdp: reply.answer });
        return reply.tracks;
      } catch (error) {
        // Back to where we were, so the next offer does not carry tracks nobody published.
        await this.#rollback();
        for (const t of transceivers) t.stop();
        throw error;
      }
    });
  }

  /**
   * Pulls `trackNames` that member `from` publishes. Resolves with the tracks handed out by the
   * offer this pull brought (which may include earlier pulls' tracks), or none when the SFU sent
   * no offer yet; either way each pulled track also reaches `onTrack` once it has arrived.
   */
  pull(from: string, trackNames: readonly string[]): Promise<SfuPulledTrack[]> {
    return this.#run(async () => {
      const reply = await this.#requests.request({ type: "sfu-pull", from, tracks: [...trackNames] });
      for (const t of reply.tracks) this.#awaiting.set(t.mid, t);
      if (reply.offer === undefined) return [];
      return this.#acceptOffer(reply.offer);
    });
  }

  /** Asks for simulcast layer `layer` (an RID) of the track pulled on `mid`; resolves with the layer set. */
  setLayer(mid: string, layer: string): Promise<string> {
    return this.#run(async () => (await this.#requests.request({ type: "sfu-layer", mid, layer })).layer);
  }

  /**
   * Stops publishing or pulling on `mids`. With the connection negotiated and not failed, our offer
   * (those transceivers stopped) goes along and the SFU answers it; otherwise the SFU closes them
   * at once. Resolves with the mids the SFU closed.
   */
  close(mids: readonly string[]): Promise<string[]> {
    return this.#run(async () => {
      const pc = this.#pc;
      const transceivers = pc.getTransceivers().filter((t) => t.mid !== null && mids.includes(t.mid));
      const up =
        pc.signalingState === "stable" &&
        pc.remoteDescription !== null &&
        pc.connectionState !== "failed" &&
        pc.connectionState !== "closed";
      for (const t of transceivers) t.stop();
      for (const mid of mids) this.#awaiting.delete(mid);
      let offer: string | undefined;
      if (up && transceivers.length > 0) {
        await pc.setLocalDescription(await pc.createOffer());
        offer = sdpOf(pc);
      }
      try {
        const reply = await this.#requests.request({ type: "sfu-close", mids: [...mids], ...(offer && { offer }) });
        if (reply.answer !== undefined && pc.signalingState === "have-local-offer")
          await pc.setRemoteDescription({ type: "answer", sdp: reply.answer });
        return reply.mids;
      } catch (error) {
        await this.#rollback();
        throw error;
      }
    });
  }

  /** Ends the connection; pending and later operations fail with SfuSessionDisposed. The room closes our tracks when we leave. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#awaiting.clear();
    this.#pc.close();
  }

  /** Applies the SFU's offer, answers it through the room, then hands out every pulled track it brought. */
  async #acceptOffer(offer: string): Promise<SfuPulledTrack[]> {
    const pc = this.#pc;
    await pc.setRemoteDescription({ type: "offer", sdp: offer });
    // The offer made the pulled transceivers; until our answer is set no RTP reaches them, and
    // until the SFU has it none is sent: their transforms go on now, before either.
    if (this.#protect)
      for (const transceiver of pc.getTransceivers()) {
        const waiting = transceiver.mid === null ? undefined : this.#awaiting.get(transceiver.mid);
        if (!waiting || transceiver.direction === "stopped" || this.#protected.has(transceiver.receiver)) continue;
        this.#protected.add(transceiver.receiver);
        this.#protect.receiver(transceiver.receiver, waiting.from);
      }
    await pc.setLocalDescription(await pc.createAnswer());
    await this.#requests.request({ type: "sfu-renegotiate", answer: sdpOf(pc) });
    this.#check();
    const handed: SfuPulledTrack[] = [];
    for (const transceiver of pc.getTransceivers()) {
      const waiting = transceiver.mid === null ? undefined : this.#awaiting.get(transceiver.mid);
      if (!waiting || transceiver.currentDirection === "stopped") continue;
      this.#awaiting.delete(waiting.mid);
      handed.push({ ...waiting, track: transceiver.receiver.track });
    }
    for (const pulled of handed) this.#onTrack(pulled);
    return handed;
  }

  async #rollback(): Promise<void> {
    if (this.#disposed || this.#pc.signalingState !== "have-local-offer") return;
    await this.#pc.setLocalDescription({ type: "rollback" }).catch(() => {});
  }

  /** Runs `operation` after every earlier one has ended, however it ended. */
  #run<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(() => {
      this.#check();
      return operation();
    });
    this.#chain = run.catch(() => {});
    return run;
  }

  #check(): void {
    if (this.#disposed) throw new SfuSessionDisposed();
  }
}

function sdpOf(pc: RTCPeerConnection): string {
  return pc.localDescription?.sdp ?? "";
}
