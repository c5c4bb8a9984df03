/**
 * Chat without a data channel (SFU mode, issue 18). In a mesh call chat rides each pair's data
 * channel, which DTLS encrypts end to end. Through the SFU there is no connection between two
 * members, and the SFU's own data channels end at the SFU (DTLS terminates there), so chat would
 * be readable by Cloudflare. Instead each frame goes to each member as a relayed `signal` (the
 * room socket every member already has), sealed with AES-256-GCM under the pair's chat key
 * (identity-key.ts: derived from the same X25519 keys the safety code covers), so neither the
 * room nor the SFU can read it, change it or pass one member's frame off as another's.
 *
 * The additional data names sender, recipient and a per-pair sequence number, and the receiver
 * takes only numbers above the last it took: a frame the room replays, reorders or redirects is
 * dropped. Plain functions and one small class over WebCrypto, so Node's tests run them as is.
 */
import type { E2eeSignal } from "../../../common/e2ee-signal";
import { MAX_SEALED_CHAT_LENGTH, WRAP_IV_BYTES } from "../../../common/e2ee-signal";
import { fromBase64Url, toBase64Url } from "./base64url";

const CHAT_AD = "natter e2ee chat frame v1";

export type SealedChat = Extract<E2eeSignal, { kind: "chat" }>;

function additionalData(from: string, to: string, seq: number): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${CHAT_AD}\n${from}\n${to}\n${seq}`);
}

/** Seals `frame` from `from` to `to` as their `seq`-th; null if it would not fit a signal. */
export async function sealChat(
  frame: string,
  chatKey: CryptoKey,
  { from, to, seq }: { from: string; to: string; seq: number },
): Promise<SealedChat | null> {
  const iv = crypto.getRandomValues(new Uint8Array(WRAP_IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(from, to, seq) },
    chatKey,
    new TextEncoder().encode(frame),
  );
  const box = toBase64Url(new Uint8Array(sealed));
  if (box.length > MAX_SEALED_CHAT_LENGTH) return null;
  return { kind: "chat", v: 1, seq, iv: toBase64Url(iv), box };
}

/** The frame, or null for anything that does not open under this pair's key and this label. */
export async function openChat(
  sealed: SealedChat,
  chatKey: CryptoKey,
  { from, to }: { from: string; to: string },
): Promise<string | null> {
  const iv = fromBase64Url(sealed.iv);
  const box = fromBase64Url(sealed.box);
  if (!iv || !box) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: additionalData(from, to, sealed.seq) },
      chatKey,
      box,
    );
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    return null;
  }
}

/**
 * Both ends of our chat with each other member: the next number we send with, and the last we
 * took from them. Forget a member when it leaves; its next session starts again from 0.
 */
export class ChatSequences {
  readonly #sent = new Map<string, number>();
  readonly #taken = new Map<string, number>();

  /** The number for our next frame to `to`. */
  next(to: string): number {
    const seq = this.#sent.get(to) ?? 0;
    this.#sent.set(to, seq + 1);
    return seq;
  }

  /** Whether a frame from `from` numbered `seq` (already opened, so genuine) is new; records it. */
  take(from: string, seq: number): boolean {
    const last = this.#taken.get(from);
    if (last !== undefined && seq <= last) return false;
    this.#taken.set(from, seq);
    return true;
  }

  forget(id: string): void {
    this.#sent.delete(id);
    this.#taken.delete(id);
  }
}
