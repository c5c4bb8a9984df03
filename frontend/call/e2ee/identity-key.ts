/**
 * Each member's identity key for one call session (X25519, WebCrypto: Chromium 133+, Firefox
 * 130+, Safari 17+, Node 20+), and the pairwise key two members derive from theirs. The private
 * half is generated non-extractable and never leaves WebCrypto; the public half travels in an
 * `identity` message and is what the pair's safety code covers (peer/safety-identity.ts), so a
 * room or SFU that swaps public keys to sit in the middle shows up as two different codes.
 */
import { toHex } from "../peer/safety-code";

export interface IdentityKey {
  privateKey: CryptoKey;
  /** The raw 32-byte public key, as sent and as hashed into the safety code. */
  publicKey: Uint8Array<ArrayBuffer>;
}

/** What each HKDF output is for: wrapping sender keys, or sealing chat, between exactly these two members. */
const PAIRWISE_CONTEXT = "natter e2ee pairwise v1";
const CHAT_CONTEXT = "natter e2ee chat v1";

export async function createIdentityKey(): Promise<IdentityKey> {
  const pair = (await crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicKey };
}

export interface Member {
  id: string;
  publicKey: Uint8Array<ArrayBuffer>;
}

/**
 * The key two members wrap sender keys with (AES-256-GCM, non-extractable): HKDF-SHA256 over
 * their X25519 shared secret, bound to both ids and both public keys, sorted so both ends derive
 * the same key. Throws for a public key that is not a valid X25519 point or that gives the
 * all-zero secret (WebCrypto refuses low-order points).
 */
export function pairwiseKey(own: IdentityKey, ownId: string, peer: Member): Promise<CryptoKey> {
  return derive(own, ownId, peer, PAIRWISE_CONTEXT, ["wrapKey", "unwrapKey"]);
}

/**
 * The key two members seal chat frames with when there is no data channel between them (SFU
 * mode: e2ee/sealed-chat.ts). Derived like the pairwise key but under its own context, so no key
 * ever both wraps sender keys and encrypts messages.
 */
export function pairwiseChatKey(own: IdentityKey, ownId: string, peer: Member): Promise<CryptoKey> {
  return derive(own, ownId, peer, CHAT_CONTEXT, ["encrypt", "decrypt"]);
}

async function derive(
  own: IdentityKey,
  ownId: string,
  peer: Member,
  context: string,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  const peerKey = await crypto.subtle.importKey("raw", peer.publicKey, { name: "X25519" }, false, []);
  const secret = await crypto.subtle.deriveBits({ name: "X25519", public: peerKey }, own.privateKey, 256);
  const ikm = await crypto.subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  const sides = [`${ownId} ${toHex(own.publicKey)}`, `${peer.id} ${toHex(peer.publicKey)}`].sort();
  const info = new TextEncoder().encode(`${context}\n${sides.join("\n")}`);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info },
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    usages,
  );
}
