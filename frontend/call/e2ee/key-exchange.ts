/**
 * Who holds which media key in an end-to-end encrypted (SFU mode) call, framework-free: the
 * caller tells it who is in the call and feeds in the peers' messages; it sends messages and
 * hands keys to the frame transform through callbacks.
 *
 * - Each member has an X25519 identity key and sends its public half to every other member. From
 *   two identities both ends derive a pairwise key (identity-key.ts).
 * - Each member encrypts with its own sender key and sends it, wrapped under the pairwise key, to
 *   every member whose identity it holds. Only the newest generation is ever handed out.
 * - Rotation: a new sender key when someone leaves (so they cannot read what follows) and when
 *   someone joins (so they cannot read what came before). We keep encrypting with the old key for
 *   SWITCH_DELAY_MS, long enough for the wrapped new key to reach everyone, then switch; receivers
 *   keep a sender's older keys for OVERLAP_MS after a newer one arrives, for frames in flight.
 * - A key message is accepted only for a newer generation than the last from that sender, so the
 *   room cannot replay an old key (one a departed member still knows) to make it valid again.
 *
 * Trust: everything the room relays could be forged by it; the only defence against swapped
 * identity keys is the pair's safety code (peer/safety-identity.ts), computed from `identities`.
 */
import { type E2eeSignal, MAX_GENERATION, parseE2eeSignal } from "../../../common/e2ee-signal";
import { fromBase64Url, toBase64Url } from "./base64url";
import { createIdentityKey, type IdentityKey, pairwiseKey } from "./identity-key";
import { createSenderKey, unwrapSenderKey, wrapSenderKey } from "./sender-key";

/** Jitsi waits 1 s before using a new key; a relayed signal takes tens of milliseconds. */
export const SWITCH_DELAY_MS = 1_000;
/** How long a receiver still accepts a sender's older key once a newer one has arrived. */
export const OVERLAP_MS = 5_000;

/** Why a peer's message changed nothing. */
export type KeyRejection =
  | "malformed"
  | "not-a-key-message"
  | "unknown-member"
  | "identity-changed"
  | "bad-public-key"
  | "no-identity-yet"
  | "stale-generation"
  | "does-not-open";

export interface KeyExchangeOptions {
  selfId: string;
  /** Relays a message to one member over the room socket. */
  send(to: string, message: E2eeSignal): void;
  /** From now on, encrypt our frames with this key (generation mod 256 is the frame's key id). */
  useSenderKey(generation: number, key: CryptoKey): void;
  /** Decrypt a member's frames with this key id (key), or stop accepting it (null). */
  setPeerKey(peerId: string, keyId: number, key: CryptoKey | null): void;
}

interface Peer {
  identitySent: boolean;
  publicKey?: Uint8Array<ArrayBuffer>;
  pairwise?: CryptoKey;
  /** Newest generation received; older ones still installed, and their retirement timers. */
  generation: number;
  live: Map<number, number>;
  timers: Set<ReturnType<typeof setTimeout>>;
}

export class KeyExchange {
  readonly #options: KeyExchangeOptions;
  readonly #identity: IdentityKey;
  readonly #peers = new Map<string, Peer>();
  #generation = 0;
  #key: CryptoKey;
  #inUse = 0;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Steps run one at a time, so a rotation never interleaves with a newcomer's key. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: KeyExchangeOptions, identity: IdentityKey, key: CryptoKey) {
    this.#options = options;
    this.#identity = identity;
    this.#key = key;
  }

  /**
   * A first sender key, which is used at once: nobody else holds it yet. The identity is fresh
   * unless the caller made it, to derive the pair's other keys from it too (the chat key).
   */
  static async create(options: KeyExchangeOptions, identity?: IdentityKey): Promise<KeyExchange> {
    const exchange = new KeyExchange(options, identity ?? (await createIdentityKey()), await createSenderKey());
    options.useSenderKey(0, exchange.#key);
    return exchange;
  }

  get publicKey(): Uint8Array<ArrayBuffer> {
    return this.#identity.publicKey;
  }

  /** The peer's identity key our pairwise key came from: what the pair's safety code is about. */
  peerPublicKey(peerId: string): Uint8Array<ArrayBuffer> | undefined {
    return this.#peers.get(peerId)?.publicKey;
  }

  /**
   * A member to exchange keys with. `rotate` is false only for those already there when we
   * joined: our first key has protected nothing yet. Anyone who joins later triggers a new key.
   */
  addMember(peerId: string, { rotate = true }: { rotate?: boolean } = {}): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#peers.has(peerId) || peerId === this.#options.selfId) return;
      const peer: Peer = { identitySent: false, generation: -1, live: new Map(), timers: new Set() };
      this.#peers.set(peerId, peer);
      this.#sendIdentity(peerId, peer);
      if (rotate) await this.#rotate();
    });
  }

  /** A member who left or was removed: their keys are dropped and ours is replaced. */
  removeMember(peerId: string): Promise<void> {
    return this.#enqueue(async () => {
      const peer = this.#peers.get(peerId);
      if (!peer) return;
      this.#peers.delete(peerId);
      for (const timer of peer.timers) clearTimeout(timer);
      for (const keyId of peer.live.values()) this.#options.setPeerKey(peerId, keyId, null);
      await this.#rotate();
    });
  }

  /** One message from a member, unvalidated. Resolves to null if it was used, else why not. */
  receive(from: string, data: unknown): Promise<KeyRejection | null> {
    return this.#enqueue(async () => {
      const message = parseE2eeSignal(data);
      if (!message) return "malformed";
      const peer = this.#peers.get(from);
      if (!peer) return "unknown-member";
      if (message.kind === "identity") return this.#onIdentity(from, peer, message.publicKey);
      if (message.kind === "sender-key") return this.#onSenderKey(from, peer, message);
      return "not-a-key-message";
    });
  }

  /** Starts a new sender key now, e.g. after the caller learnt that someone else saw the old one. */
  rotate(): Promise<void> {
    return this.#enqueue(() => this.#rotate());
  }

  /**
   * A member whose room socket dropped and came back: what we sent it meanwhile is lost (the room
   * keeps no signal for a member who is away), so our identity and newest key go again. Harmless
   * if they had arrived: the same identity is taken as before, and a generation already held is refused.
   */
  peerReturned(peerId: string): Promise<void> {
    return this.#enqueue(async () => {
      const peer = this.#peers.get(peerId);
      if (!peer) return;
      peer.identitySent = false;
      this.#sendIdentity(peerId, peer);
      await this.#sendKey(peerId, peer);
    });
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const peer of this.#peers.values()) for (const timer of peer.timers) clearTimeout(timer);
    this.#peers.clear();
  }

  async #onIdentity(from: string, peer: Peer, text: string): Promise<KeyRejection | null> {
    const publicKey = fromBase64Url(text);
    if (!publicKey) return "malformed";
    if (peer.publicKey) return sameBytes(peer.publicKey, publicKey) ? null : "identity-changed";
    const pairwise = await pairwiseKey(this.#identity, this.#options.selfId, { id: from, publicKey }).catch(() => null);
    if (!pairwise) return "bad-public-key";
    peer.publicKey = publicKey;
    peer.pairwise = pairwise;
    this.#sendIdentity(from, peer);
    await this.#sendKey(from, peer);
    return null;
  }

  async #onSenderKey(
    from: string,
    peer: Peer,
    message: Extract<E2eeSignal, { kind: "sender-key" }>,
  ): Promise<KeyRejection | null> {
    if (!peer.pairwise) return "no-identity-yet";
    if (message.generation <= peer.generation) return "stale-generation";
    const [wrapped, iv] = [fromBase64Url(message.wrapped), fromBase64Url(message.iv)];
    if (!wrapped || !iv) return "malformed";
    const label = { from, to: this.#options.selfId, generation: message.generation };
    const key = await unwrapSenderKey(wrapped, iv, peer.pairwise, label);
    if (!key) return "does-not-open";
    const keyId = message.generation % 256;
    peer.generation = message.generation;
    peer.live.set(message.generation, keyId);
    this.#options.setPeerKey(from, keyId, key);
    const retire = setTimeout(() => {
      peer.timers.delete(retire);
      for (const [generation, id] of peer.live) {
        if (generation >= message.generation) continue;
        peer.live.delete(generation);
        // A key id 256 generations apart from a live one is that one's slot now: leave it.
        if (![...peer.live.values()].includes(id)) this.#options.setPeerKey(from, id, null);
      }
    }, OVERLAP_MS);
    peer.timers.add(retire);
    return null;
  }

  async #rotate(): Promise<void> {
    if (this.#generation >= MAX_GENERATION) throw new Error("no sender-key generations left");
    this.#generation += 1;
    this.#key = await createSenderKey();
    const [generation, key] = [this.#generation, this.#key];
    for (const [peerId, peer] of this.#peers) await this.#sendKey(peerId, peer);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (generation <= this.#inUse) return;
      this.#inUse = generation;
      this.#options.useSenderKey(generation, key);
    }, SWITCH_DELAY_MS);
    this.#timers.add(timer);
  }

  /** Our newest key to one member; only once their identity is known, so it can be wrapped. */
  async #sendKey(peerId: string, peer: Peer): Promise<void> {
    if (!peer.pairwise) return;
    const label = { from: this.#options.selfId, to: peerId, generation: this.#generation };
    const { iv, wrapped } = await wrapSenderKey(this.#key, peer.pairwise, label);
    // Removed while we wrapped: they must not get it.
    if (this.#peers.get(peerId) !== peer) return;
    this.#options.send(peerId, {
      kind: "sender-key",
      v: 1,
      generation: this.#generation,
      iv: toBase64Url(iv),
      wrapped: toBase64Url(wrapped),
    });
  }

  #sendIdentity(peerId: string, peer: Peer): void {
    if (peer.identitySent) return;
    peer.identitySent = true;
    this.#options.send(peerId, { kind: "identity", v: 1, publicKey: toBase64Url(this.#identity.publicKey) });
  }

  #enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
