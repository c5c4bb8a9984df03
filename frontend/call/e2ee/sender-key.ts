/**
 * Sender keys: each member encrypts its media with its own random AES-256-GCM key, and hands it to
 * every other member wrapped under their pairwise key (identity-key.ts). The wrapping is AES-GCM
 * with a random IV and additional data naming sender, recipient and generation, so a wrapped key
 * cannot be replayed to someone else, passed off as another member's, or as another generation.
 */
import { WRAP_IV_BYTES } from "../../../common/e2ee-signal";

const WRAP_CONTEXT = "natter e2ee sender key v1";

export interface KeyLabel {
  from: string;
  to: string;
  generation: number;
}

/** A fresh sender key. Extractable, but only ever exported wrapped; never logged. */
export function createSenderKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
}

function labelData({ from, to, generation }: KeyLabel): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${WRAP_CONTEXT}\n${from}\n${to}\n${generation}`);
}

export async function wrapSenderKey(
  key: CryptoKey,
  pairwise: CryptoKey,
  label: KeyLabel,
): Promise<{ iv: Uint8Array<ArrayBuffer>; wrapped: Uint8Array<ArrayBuffer> }> {
  const iv = crypto.getRandomValues(new Uint8Array(WRAP_IV_BYTES));
  const wrapped = await crypto.subtle.wrapKey("raw", key, pairwise, {
    name: "AES-GCM",
    iv,
    additionalData: labelData(label),
  });
  return { iv, wrapped: new Uint8Array(wrapped) };
}

/** The sender key (non-extractable, decrypt only), or null if it does not open under this label. */
export async function unwrapSenderKey(
  wrapped: Uint8Array<ArrayBuffer>,
  iv: Uint8Array<ArrayBuffer>,
  pairwise: CryptoKey,
  label: KeyLabel,
): Promise<CryptoKey | null> {
  try {
    return await crypto.subtle.unwrapKey(
      "raw",
      wrapped,
      pairwise,
      { name: "AES-GCM", iv, additionalData: labelData(label) },
      { name: "AES-GCM", length: 256 },
      false,
      ["decrypt"],
    );
  } catch {
    return null;
  }
}
