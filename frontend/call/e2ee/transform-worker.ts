/**
 * The frame-encryption worker: one per page, holding the page's one encryptor (so all outgoing
 * tracks share its counter) and every sender key it may decrypt with. Frames arrive through
 * RTCRtpScriptTransform (`rtctransform` events: Chromium, Firefox, Safari) or, where only
 * Chromium's older createEncodedStreams exists, as streams the page transfers here. Either way
 * the work is off the main thread, and a frame that cannot be encrypted or authenticated is
 * dropped: nothing is ever passed through in the clear.
 */
import { FrameDecryptor, FrameEncryptor } from "./frame-cipher";
import type { FromWorker, ToWorker, TransformRole, TransformStats } from "./transform-messages";

interface EncodedFrame {
  data: ArrayBuffer;
  type?: string;
  getMetadata(): { mimeType?: string };
}

/** The worker-side half of RTCRtpScriptTransform (not in the DOM typings this project compiles with). */
interface ScriptTransformer {
  readable: ReadableStream;
  writable: WritableStream;
  options: unknown;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null;
  postMessage(message: FromWorker): void;
};

const encryptor = new FrameEncryptor();
const keys = new Map<string, Map<number, CryptoKey>>();
const stats: TransformStats = { encrypted: 0, unsent: 0, keyId: null, received: {} };

function received(sender: string) {
  stats.received[sender] ??= { decrypted: {}, dropped: {} };
  return stats.received[sender];
}

function transformer(options: TransformRole): Transformer<EncodedFrame, EncodedFrame> {
  if (options.role === "encrypt")
    return {
      async transform(frame, controller) {
        const sealed = await encryptor.encrypt(frame.data, {
          kind: options.kind,
          type: frame.type,
          mimeType: frame.getMetadata().mimeType,
        });
        if (!sealed) {
          stats.unsent += 1;
          return;
        }
        frame.data = sealed;
        stats.encrypted += 1;
        controller.enqueue(frame);
      },
    };
  const decryptor = new FrameDecryptor((keyId) => keys.get(options.sender)?.get(keyId));
  return {
    async transform(frame, controller) {
      const result = await decryptor.decrypt(frame.data);
      const counts = received(options.sender);
      if (!result.ok) {
        counts.dropped[result.reason] = (counts.dropped[result.reason] ?? 0) + 1;
        return;
      }
      counts.decrypted[result.keyId] = (counts.decrypted[result.keyId] ?? 0) + 1;
      frame.data = result.frame;
      controller.enqueue(frame);
    },
  };
}

function attach(readable: ReadableStream, writable: WritableStream, options: TransformRole): void {
  // A failing pipe ends only this track's frames; the page sees the track stall, not a crash.
  void readable
    .pipeThrough(new TransformStream(transformer(options)))
    .pipeTo(writable)
    .catch(() => undefined);
}

scope.onrtctransform = ({ transformer: t }) => attach(t.readable, t.writable, t.options as TransformRole);

scope.onmessage = ({ data }) => {
  switch (data.type) {
    case "sender-key":
      encryptor.setKey(data.generation, data.key);
      stats.keyId = data.generation % 256;
      return;
    case "peer-key": {
      const held = keys.get(data.sender) ?? new Map<number, CryptoKey>();
      keys.set(data.sender, held);
      if (data.key) held.set(data.keyId, data.key);
      else held.delete(data.keyId);
      return;
    }
    case "streams":
      return attach(data.readable, data.writable, data);
    case "stats":
      return scope.postMessage({ type: "stats", id: data.id, stats: structuredClone(stats) });
  }
};
