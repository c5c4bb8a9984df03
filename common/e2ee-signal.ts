/**
 * The end-to-end encryption messages of SFU mode, as they would ride in a relayed `signal` to one
 * peer (issue 18). Compiled in both worlds so that the room can check their shape and size before
 * relaying them, as it does for SDP, while their contents stay opaque to it: public keys, sender
 * keys wrapped under pairwise keys the room cannot derive, and safety-code frames that only
 * commit to or reveal random nonces.
 *
 * They ride as `SignalData`'s `{e2ee}` branch (common/protocol.ts); the call engine does not send
 * them yet (SFU mode is not wired into it).
 */
import * as v from "valibot";

/** Base64url without padding of exactly `bytes` bytes (the last character carries the spare bits). */
function base64Url(bytes: number) {
  const length = Math.ceil((bytes * 8) / 6);
  return v.pipe(
    v.string("must be a string"),
    v.regex(new RegExp(`^[A-Za-z0-9_-]{${length}}$`), `must be ${bytes} bytes of base64url`),
  );
}

/** X25519 public keys are 32 bytes. */
export const PUBLIC_KEY_BYTES = 32;
/** AES-GCM nonces for wrapping a sender key. */
export const WRAP_IV_BYTES = 12;
/** A 32-byte (AES-256) sender key plus the 16-byte GCM tag. */
export const WRAPPED_KEY_BYTES = 48;
/** Safety-code frames (peer/safety-exchange.ts) are well under 100 characters. */
export const MAX_SAFETY_FRAME_LENGTH = 256;
/**
 * A sealed chat frame as base64url: a chat message or typing frame plus the 16-byte GCM tag. The
 * largest frame a member sends is 2,000 characters escaped as \uXXXX (chat-log.ts): about 12 KB,
 * 16 K characters sealed; this leaves room to spare and stays far under a room message's 64 KiB.
 */
export const MAX_SEALED_CHAT_LENGTH = 24_000;
/** Sender-key generations count up from 0 for one member's session; 32 bits never run out in a call. */
export const MAX_GENERATION = 0xffff_ffff;

export const E2eeSignal = v.variant("kind", [
  /** A member's identity key for this call session: sent once to every other member. */
  v.strictObject({ kind: v.literal("identity"), v: v.literal(1), publicKey: base64Url(PUBLIC_KEY_BYTES) }),
  /** The sender's media key of one generation, wrapped for this recipient under their pairwise key. */
  v.strictObject({
    kind: v.literal("sender-key"),
    v: v.literal(1),
    generation: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_GENERATION)),
    iv: base64Url(WRAP_IV_BYTES),
    wrapped: base64Url(WRAPPED_KEY_BYTES),
  }),
  /**
   * A chat (or typing) frame for this recipient, sealed under the pair's chat key: what the data
   * channel carries in a mesh call, when there is none (SFU mode). `seq` counts up per pair, so a
   * frame the room replays or reorders is dropped.
   */
  v.strictObject({
    kind: v.literal("chat"),
    v: v.literal(1),
    seq: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
    iv: base64Url(WRAP_IV_BYTES),
    box: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+$/, "must be base64url"), v.maxLength(MAX_SEALED_CHAT_LENGTH)),
  }),
  /** One commit-then-reveal frame of the pair's safety code over their identity keys. */
  v.strictObject({
    kind: v.literal("safety"),
    frame: v.pipe(v.string(), v.maxLength(MAX_SAFETY_FRAME_LENGTH)),
  }),
]);
export type E2eeSignal = v.InferOutput<typeof E2eeSignal>;

/** A message from a peer, or null (with nothing changed) for anything that is not one. */
export function parseE2eeSignal(data: unknown): E2eeSignal | null {
  const result = v.safeParse(E2eeSignal, data);
  return result.success ? result.output : null;
}
