/**
 * What the page and its frame-encryption worker say to each other (postMessage, same origin, so
 * these are typed rather than validated). Keys cross as CryptoKey objects, which structured clone
 * copies without ever exposing their bytes.
 */

/** What each transform is for; passed as RTCRtpScriptTransform options or with the streams. */
export type TransformRole =
  | { role: "encrypt"; kind: "audio" | "video" }
  | { role: "decrypt"; kind: "audio" | "video"; sender: string };

export type ToWorker =
  | { type: "sender-key"; generation: number; key: CryptoKey }
  | { type: "peer-key"; sender: string; keyId: number; key: CryptoKey | null }
  /** The createEncodedStreams fallback: the page transfers the streams instead. */
  | ({ type: "streams"; readable: ReadableStream; writable: WritableStream } & TransformRole)
  | { type: "stats"; id: number };

/** Frame counts, for tests and diagnostics: never frame contents, never keys. */
export interface TransformStats {
  encrypted: number;
  /** Outgoing frames not sent: no key yet, or a codec that cannot be encrypted. */
  unsent: number;
  /** The key id our frames carry now, or null before the first key. */
  keyId: number | null;
  /** Per sender: frames decrypted per key id, and frames dropped per reason. */
  received: Record<string, { decrypted: Record<number, number>; dropped: Record<string, number> }>;
}

export type FromWorker = { type: "stats"; id: number; stats: TransformStats };
