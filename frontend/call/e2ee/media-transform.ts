/**
 * Puts the frame-encryption worker (transform-worker.ts) between a peer connection's encoders
 * and packetizers: every sender encrypts, every receiver decrypts with the keys of the member
 * whose track it carries. Loaded lazily with SFU mode, never in the room page's first bundle.
 *
 * Which API: the standard RTCRtpScriptTransform where the browser has it (Chromium 141+,
 * Firefox 117+, Safari 15.4+), else Chromium's createEncodedStreams, which needs the
 * connection to be made with `encodedInsertableStreams: true` (see `needsInsertableStreams`).
 * The worker is a same-origin script file, which the Content-Security-Policy allows through
 * `script-src 'self'` (no `worker-src`, no blob: workers).
 */
import type { FromWorker, ToWorker, TransformRole, TransformStats } from "./transform-messages";

export type TransformApi = "script-transform" | "encoded-streams";

interface EncodedStreams {
  readable: ReadableStream;
  writable: WritableStream;
}
type WithEncodedStreams = { createEncodedStreams?: () => EncodedStreams };

/** The API this browser offers, or null: then end-to-end encrypted calls are not possible here. */
export function transformApi(): TransformApi | null {
  if (typeof RTCRtpScriptTransform === "function") return "script-transform";
  const sender = globalThis.RTCRtpSender?.prototype as WithEncodedStreams | undefined;
  return typeof sender?.createEncodedStreams === "function" ? "encoded-streams" : null;
}

/** Extra RTCPeerConnection configuration the fallback API needs (Chromium-only member). */
export function needsInsertableStreams(api: TransformApi): Record<string, boolean> {
  return api === "encoded-streams" ? { encodedInsertableStreams: true } : {};
}

export class MediaTransforms {
  readonly api: TransformApi;
  readonly #worker: Worker;
  readonly #pending = new Map<number, (stats: TransformStats) => void>();
  #nextId = 0;

  constructor(api: TransformApi) {
    this.api = api;
    this.#worker = new Worker(new URL("./transform-worker.ts", import.meta.url), {
      type: "module",
      name: "natter-e2ee",
    });
    this.#worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
      this.#pending.get(data.id)?.(data.stats);
      this.#pending.delete(data.id);
    };
  }

  encrypt(sender: RTCRtpSender): void {
    const kind = sender.track?.kind === "audio" ? "audio" : "video";
    this.#attach(sender, { role: "encrypt", kind });
  }

  /** A receiver's frames come from `senderId`'s encryptor: only that member's keys open them. */
  decrypt(receiver: RTCRtpReceiver, senderId: string): void {
    const kind = receiver.track.kind === "audio" ? "audio" : "video";
    this.#attach(receiver, { role: "decrypt", kind, sender: senderId });
  }

  useSenderKey(generation: number, key: CryptoKey): void {
    this.#post({ type: "sender-key", generation, key });
  }

  setPeerKey(sender: string, keyId: number, key: CryptoKey | null): void {
    this.#post({ type: "peer-key", sender, keyId, key });
  }

  stats(): Promise<TransformStats> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#post({ type: "stats", id });
    });
  }

  close(): void {
    this.#worker.terminate();
  }

  #attach(target: RTCRtpSender | RTCRtpReceiver, role: TransformRole): void {
    if (this.api === "script-transform") {
      target.transform = new RTCRtpScriptTransform(this.#worker, role);
      return;
    }
    const { readable, writable } = (target as unknown as Required<WithEncodedStreams>).createEncodedStreams();
    this.#worker.postMessage({ type: "streams", readable, writable, ...role } satisfies ToWorker, [readable, writable]);
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }
}
