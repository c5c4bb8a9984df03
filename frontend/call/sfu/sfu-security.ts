/**
 * End-to-end security of an SFU call, as one part the call engine drives (issue 18). Through the
 * SFU, DTLS ends at Cloudflare, so this part puts back what DTLS gives a mesh call, from the
 * library in e2ee/ and peer/ (it adds no cryptography of its own):
 *
 * - media: every frame we publish is encrypted by the transform worker (MediaTransforms) under
 *   our sender key, every frame we pull is decrypted with its publisher's key; keys travel
 *   wrapped pairwise over the room socket and rotate when members come and go (KeyExchange);
 * - safety codes: per pair, over the two X25519 identity keys every pairwise key comes from,
 *   with the commit-then-reveal exchange of mesh mode (SafetyExchange, safety-identity.ts);
 * - chat: each frame sealed for one member under the pair's chat key (sealed-chat.ts), since
 *   there is no data channel between two members and the SFU's would end at the SFU.
 *
 * Everything crosses the room as `signal{to, data:{e2ee}}`: the engine hands our messages to the
 * room through `send` and the `e2ee` part of each relayed signal to `receive`, in the order the
 * room delivered them.
 *
 * Ordering rules, and why:
 *
 * 1. Members first. The engine calls setMembers on every roster change before it feeds in that
 *    member's signals; the room sends `peer-joined` before relaying anything from the newcomer,
 *    so this holds if the engine calls it as the roster changes. Messages from anyone else are
 *    dropped: the room cannot add a party by relaying for it. Each member sends its identity once,
 *    so `{e2ee}` signals that arrive before create() has resolved (everyone creates one at the
 *    switch to SFU mode) must be kept by the engine and fed in, in order, after setMembers.
 * 2. Rotation. A member added before we published anything gets our current key (it protected no
 *    frame yet); one added after, or any removal, starts a new key (KeyExchange's rules), so a
 *    newcomer cannot read what came before, nor a leaver what follows.
 * 3. Pull only what we can read: `readable(id)` resolves once we hold the key that member
 *    encrypts with. A publisher switches to a new key SWITCH_DELAY_MS after making it, and only
 *    the newest key is handed out, so a first key other than generation 0 may not be in use yet.
 *    Chromium's finding: a receiver that gets encrypted video before it has the key may never show
 *    video afterwards, as the decoder never sees the key frame it missed. So the engine pulls a
 *    member's tracks only after `readable`, and SfuSession puts each receiver's transform on
 *    before its answer (protectReceiver is never late).
 * 4. Safety codes start once both identities are known: ours from the start, the peer's when
 *    KeyExchange accepts it (that is, the very key our pairwise key came from). Only then do we
 *    commit; we reveal only after their commitment (SafetyExchange), so whoever sits in the middle
 *    has committed before seeing an honest nonce and gets one try.
 * 5. A key swap fails the code for good: a second, different identity from the same member is
 *    what a room switching keys mid-call looks like (honest pages send one identity per session).
 *    KeyExchange refuses the new key, so media and chat stay with the first, and the code goes
 *    `failed` (certificatesChanged: in SFU mode the identity key is the "certificate"), never back
 *    to a code. A reloaded page that kept its peer id must come back as a new member (removed,
 *    then added) to be trusted again.
 * 6. Chat to a member waits for the pair's chat key (derived when their identity arrives), up to
 *    MAX_CHAT_BACKLOG frames, like a mesh chat channel that has not opened yet; a frame to a
 *    non-member, past the backlog, too long, or still waiting when they leave is refused (the
 *    promise rejects with SfuChatRefused). Frames to one member go out in order, so their numbers
 *    rise and the receiver (which takes only a number above the last) loses none.
 * 7. Hostile input: whatever the room relays is parsed first; what is not one of our messages, or
 *    comes from a non-member, changes nothing. A forged, replayed or redirected chat or key frame
 *    does not open and is dropped. Safety frames that break the exchange's rules fail that code:
 *    the room can always deny a pair its code, never give it a matching one.
 * 8. A member whose room socket dropped gets nothing the room had for it meanwhile, so when it
 *    resumes, our identity and newest key go to it again (KeyExchange.peerReturned). A safety
 *    frame lost that way leaves that pair's code waiting: it never shows a code that was not exchanged.
 *
 * Loaded lazily with SFU mode, never on the room page's first bundle.
 */
import { type ReadonlySignal, type Signal, signal } from "@preact/signals-core";
import { type E2eeSignal, parseE2eeSignal } from "../../../common/e2ee-signal";
import { createIdentityKey, type IdentityKey, pairwiseChatKey } from "../e2ee/identity-key";
import { KeyExchange, SWITCH_DELAY_MS } from "../e2ee/key-exchange";
import { MediaTransforms, needsInsertableStreams, transformApi } from "../e2ee/media-transform";
import { ChatSequences, openChat, sealChat } from "../e2ee/sealed-chat";
import type { TransformStats } from "../e2ee/transform-messages";
import { SAFETY_FAILURES, SafetyExchange, type SafetyState } from "../peer/safety-exchange";
import { identityFingerprints } from "../peer/safety-identity";

/** Chat frames kept per member while their key is on its way: as many as a mesh chat channel keeps before it opens. */
export const MAX_CHAT_BACKLOG = 50;

/** What SfuSecurity needs of the frame-transform worker: MediaTransforms, or in unit tests (no Worker there) a stand-in. */
export type FrameTransforms = Pick<
  MediaTransforms,
  "api" | "encrypt" | "decrypt" | "useSenderKey" | "setPeerKey" | "stats" | "close"
>;

export interface SfuSecurityOptions {
  selfId: string;
  /** Sends one e2ee signal to one member through the room: the engine wraps it as signal{to, data:{e2ee}}. */
  send(to: string, e2ee: E2eeSignal): void;
  /** A chat frame a member sent us, opened: the same string frames mesh chat carries over a data channel. */
  onChat?(from: string, frame: string): void;
  now?: () => number;
  /** The frame transforms; by default MediaTransforms on this browser's API (unit tests bring their own). */
  transforms?: FrameTransforms;
}

export type SfuChatRefusal = "not-a-member" | "backlog" | "too-long" | "left" | "disposed";

/** Why a chat frame was not sent. */
export class SfuChatRefused extends Error {
  readonly reason: SfuChatRefusal;

  constructor(reason: SfuChatRefusal) {
    super(`The chat frame was not sent: ${reason}.`);
    this.name = "SfuChatRefused";
    this.reason = reason;
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

interface Member {
  safety: SafetyExchange;
  /** The pair's chat key once their identity is known; null once they left. */
  chatKey: Deferred<CryptoKey | null>;
  chatKeyKnown: boolean;
  /** Our chat frames to them, one after another. */
  outbox: Promise<void>;
  backlog: number;
  /** When the first sender key from them arrived (-Infinity: generation 0, in use from the start). */
  keyAt: number | null;
  firstKey: Deferred<void>;
  gone: Deferred<void>;
}

export class SfuSecurity {
  readonly #options: SfuSecurityOptions;
  readonly #identity: IdentityKey;
  readonly #transforms: FrameTransforms;
  readonly #now: () => number;
  #keys!: KeyExchange;
  readonly #members = new Map<string, Member>();
  readonly #codes = new Map<string, Signal<SafetyState>>();
  readonly #sequences = new ChatSequences();
  /** Received signals, handled one at a time in the room's order (an identity before what depends on it). */
  #inbox: Promise<void> = Promise.resolve();
  /** Whether any frame may have been encrypted under our current key: from the first protected sender on. */
  #published = false;
  #disposed = false;
  /** Extra RTCConfiguration for the SFU connection (encodedInsertableStreams for the fallback API). */
  readonly configuration: RTCConfiguration;

  private constructor(options: SfuSecurityOptions, identity: IdentityKey, transforms: FrameTransforms) {
    this.#options = options;
    this.#identity = identity;
    this.#transforms = transforms;
    this.#now = options.now ?? (() => performance.now());
    this.configuration = needsInsertableStreams(transforms.api) as RTCConfiguration;
  }

  /** Null when this browser can encrypt no frames (no transform API, or no X25519): such a page cannot take part in an SFU call. */
  static async create(options: SfuSecurityOptions): Promise<SfuSecurity | null> {
    const api = options.transforms?.api ?? transformApi();
    if (!api) return null;
    const identity = await createIdentityKey().catch(() => null);
    if (!identity) return null;
    const transforms = options.transforms ?? new MediaTransforms(api);
    const security = new SfuSecurity(options, identity, transforms);
    security.#keys = await KeyExchange.create(
      {
        selfId: options.selfId,
        send: (to, message) => security.#send(to, message),
        useSenderKey: (generation, key) => transforms.useSenderKey(generation, key),
        setPeerKey: (peerId, keyId, key) => transforms.setPeerKey(peerId, keyId, key),
      },
      identity,
    );
    return security;
  }

  /** Our identity key (X25519, raw): what each of our safety codes is about. */
  get publicKey(): Uint8Array<ArrayBuffer> {
    return this.#identity.publicKey;
  }

  /** Each published sender, right after addTransceiver and before the offer: its frames are encrypted from the first. */
  protectSender(sender: RTCRtpSender): void {
    if (this.#disposed) return;
    this.#published = true;
    this.#transforms.encrypt(sender);
  }

  /** Each pulled receiver as soon as its transceiver exists, before its first frame, with the publisher's peer id. */
  protectReceiver(receiver: RTCRtpReceiver, from: string): void {
    if (this.#disposed) return;
    this.#transforms.decrypt(receiver, from);
  }

  /**
   * Who else is in the call now: adds and removes members (rules 1 and 2). Takes effect at once;
   * the promise (which never rejects) settles when the keys it sent are out, for tests.
   */
  setMembers(ids: readonly string[]): Promise<void> {
    if (this.#disposed) return Promise.resolve();
    const now = new Set(ids.filter((id) => id !== this.#options.selfId));
    const steps: Promise<void>[] = [];
    for (const id of [...this.#members.keys()]) if (!now.has(id)) steps.push(this.#remove(id));
    for (const id of now) if (!this.#members.has(id)) steps.push(this.#add(id));
    return Promise.all(steps).then(
      () => undefined,
      (error: unknown) => console.error("natter: the e2ee key exchange failed", error),
    );
  }

  /**
   * The `e2ee` part of a signal member `from` relayed to us, unvalidated. Handled after every
   * earlier one; the promise (which never rejects) settles when this one has been.
   */
  receive(from: string, e2ee: unknown): Promise<void> {
    const run = this.#inbox.then(() => this.#handle(from, e2ee));
    this.#inbox = run.catch((error: unknown) => console.error("natter: an e2ee signal could not be handled", error));
    return this.#inbox;
  }

  /**
   * Resolves true once we hold the key member `peerId` encrypts with now (rule 3): pull its tracks
   * only then. False if it leaves (or this part is disposed) first.
   */
  async readable(peerId: string): Promise<boolean> {
    const member = this.#members.get(peerId);
    if (!member) return false;
    await Promise.race([member.firstKey.promise, member.gone.promise]);
    if (member.keyAt === null || this.#members.get(peerId) !== member) return false;
    const wait = member.keyAt + SWITCH_DELAY_MS - this.#now();
    if (wait > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, wait))), member.gone.promise]);
      clearTimeout(timer);
    }
    return this.#members.get(peerId) === member;
  }

  /** The pair's safety code in SFU mode, as a SafetyState signal like PeerConnection.safetyCode in mesh. */
  safetyCode(peerId: string): ReadonlySignal<SafetyState> {
    return this.#code(peerId);
  }

  /**
   * Member `peerId` resumed after its room socket dropped: our identity and newest key go again,
   * since what the room had for it meanwhile was dropped (rule 8). The promise never rejects.
   */
  peerReturned(peerId: string): Promise<void> {
    if (this.#disposed || !this.#members.has(peerId)) return Promise.resolve();
    return this.#keys.peerReturned(peerId).catch((error: unknown) => {
      console.error("natter: the e2ee key exchange failed", error);
    });
  }

  /** Seals one chat frame for member `to` and sends it (rule 6); rejects with SfuChatRefused if it was not sent. */
  sendChat(to: string, frame: string): Promise<void> {
    const member = this.#members.get(to);
    if (this.#disposed) return Promise.reject(new SfuChatRefused("disposed"));
    if (!member) return Promise.reject(new SfuChatRefused("not-a-member"));
    if (member.backlog >= MAX_CHAT_BACKLOG) return Promise.reject(new SfuChatRefused("backlog"));
    member.backlog += 1;
    const step = member.outbox.then(async () => {
      const key = await member.chatKey.promise;
      if (!key || this.#members.get(to) !== member) throw new SfuChatRefused("left");
      const sealed = await sealChat(frame, key, { from: this.#options.selfId, to, seq: this.#sequences.next(to) });
      if (!sealed) throw new SfuChatRefused("too-long");
      if (this.#members.get(to) !== member) throw new SfuChatRefused("left");
      this.#options.send(to, sealed);
    });
    const sent = step.finally(() => {
      member.backlog -= 1;
    });
    member.outbox = sent.catch(() => undefined);
    return sent;
  }

  /** The transform worker's counters (for tests and the bench). */
  stats(): Promise<TransformStats> {
    return this.#transforms.stats();
  }

  /**
   * Ends it all: keys, the worker, waiting chat. Dispose the SFU session (closing its connection)
   * first, so no live transform loses its worker.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const id of [...this.#members.keys()]) this.#forget(id);
    this.#keys.close();
    this.#transforms.close();
  }

  #add(id: string): Promise<void> {
    const member: Member = {
      safety: new SafetyExchange({
        send: (frame) => this.#send(id, { kind: "safety", frame }),
        onState: (state) => {
          if (this.#members.get(id) === member) this.#code(id).value = state;
        },
      }),
      chatKey: deferred(),
      chatKeyKnown: false,
      outbox: Promise.resolve(),
      backlog: 0,
      keyAt: null,
      firstKey: deferred(),
      gone: deferred(),
    };
    this.#members.set(id, member);
    return this.#keys.addMember(id, { rotate: this.#published });
  }

  #remove(id: string): Promise<void> {
    this.#forget(id);
    return this.#keys.removeMember(id);
  }

  #forget(id: string): void {
    const member = this.#members.get(id);
    if (!member) return;
    this.#members.delete(id);
    this.#codes.delete(id);
    this.#sequences.forget(id);
    member.chatKey.resolve(null);
    member.gone.resolve();
  }

  async #handle(from: string, data: unknown): Promise<void> {
    const member = this.#members.get(from);
    if (!member || this.#disposed) return;
    const message = parseE2eeSignal(data);
    if (!message) return;
    switch (message.kind) {
      case "identity": {
        const rejection = await this.#keys.receive(from, message);
        if (rejection === "identity-changed") await member.safety.fail(SAFETY_FAILURES.certificatesChanged);
        else if (rejection === null) await this.#identityKnown(from, member);
        return;
      }
      case "sender-key": {
        if ((await this.#keys.receive(from, message)) !== null || member.keyAt !== null) return;
        // Generation 0 is in use from its sender's start; any later one from SWITCH_DELAY_MS after it was made.
        member.keyAt = message.generation === 0 ? Number.NEGATIVE_INFINITY : this.#now();
        member.firstKey.resolve();
        return;
      }
      case "safety":
        return member.safety.receive(message.frame);
      case "chat": {
        if (!member.chatKeyKnown) return;
        const key = await member.chatKey.promise;
        if (!key) return;
        const frame = await openChat(message, key, { from, to: this.#options.selfId });
        // Opened, so genuine; still, only a number above the last one taken is new.
        if (frame === null || !this.#sequences.take(from, message.seq)) return;
        if (this.#members.get(from) === member) this.#options.onChat?.(from, frame);
        return;
      }
    }
  }

  /** Their identity was accepted: derive the pair's chat key and start the safety exchange over both identities (rule 4). */
  async #identityKnown(from: string, member: Member): Promise<void> {
    if (member.chatKeyKnown) return;
    const publicKey = this.#keys.peerPublicKey(from);
    if (!publicKey) return;
    member.chatKeyKnown = true;
    member.chatKey.resolve(await pairwiseChatKey(this.#identity, this.#options.selfId, { id: from, publicKey }));
    await member.safety.start(identityFingerprints(this.#identity.publicKey, publicKey));
  }

  #send(to: string, message: E2eeSignal): void {
    if (!this.#disposed && this.#members.has(to)) this.#options.send(to, message);
  }

  #code(peerId: string): Signal<SafetyState> {
    let code = this.#codes.get(peerId);
    if (!code) {
      code = signal<SafetyState>(this.#members.get(peerId)?.safety.state ?? { kind: "waiting" });
      this.#codes.set(peerId, code);
    }
    return code;
  }
}
