/**
 * A stand-in for the room socket between real KeyExchange objects (frontend/call/e2ee/): every
 * message is JSON-encoded and decoded as on the wire, and queued until the test delivers it. The
 * test plays the room, so it can also misroute, replay or rewrite messages, as a hostile room could.
 */
import type { E2eeSignal } from "../../common/e2ee-signal";
import { FrameDecryptor, FrameEncryptor } from "../../frontend/call/e2ee/frame-cipher";
import { KeyExchange, type KeyRejection } from "../../frontend/call/e2ee/key-exchange";

export interface Member {
  id: string;
  exchange: KeyExchange;
  /** What this member's transform would encrypt with. */
  encryptor: FrameEncryptor;
  generation: number;
  /** What this member's transform could decrypt with: sender → key id → key. */
  keys: Map<string, Map<number, CryptoKey>>;
  rejections: KeyRejection[];
}

export interface Posted {
  from: Member;
  to: string;
  data: unknown;
}

export class Relay {
  readonly queue: Posted[] = [];
  /** Everything ever posted, for tests that look at what went where. */
  readonly log: Posted[] = [];
  /** Who receives a message, and as from whom; by default the member with that id. */
  route: (posted: Posted) => { target: Member; as: string } | null = ({ from, to }) => {
    const target = this.members.get(to);
    return target ? { target, as: from.id } : null;
  };
  readonly members = new Map<string, Member>();

  async member(id: string, { join = true } = {}): Promise<Member> {
    const keys = new Map<string, Map<number, CryptoKey>>();
    const encryptor = new FrameEncryptor();
    const member = { id, encryptor, generation: -1, keys, rejections: [] } as unknown as Member;
    member.exchange = await KeyExchange.create({
      selfId: id,
      send: (to, message: E2eeSignal) => {
        const posted = { from: member, to, data: JSON.parse(JSON.stringify(message)) as unknown };
        this.queue.push(posted);
        this.log.push(posted);
      },
      useSenderKey: (generation, key) => {
        member.generation = generation;
        encryptor.setKey(generation, key);
      },
      setPeerKey: (peerId, keyId, key) => {
        const held = keys.get(peerId) ?? new Map<number, CryptoKey>();
        keys.set(peerId, held);
        if (key) held.set(keyId, key);
        else held.delete(keyId);
      },
    });
    if (join) this.members.set(id, member);
    return member;
  }

  /** Everyone already in the call meets the newcomer; the newcomer meets them without rotating. */
  async join(id: string): Promise<Member> {
    const others = [...this.members.values()];
    const newcomer = await this.member(id);
    for (const other of others) {
      await other.exchange.addMember(id);
      await newcomer.exchange.addMember(other.id, { rotate: false });
    }
    return newcomer;
  }

  /** The members present together from the start: nobody rotates. */
  async gather(...ids: string[]): Promise<Member[]> {
    const members = [];
    for (const id of ids) members.push(await this.member(id));
    for (const a of members) for (const b of members) await a.exchange.addMember(b.id, { rotate: false });
    await this.flush();
    return members;
  }

  async leave(id: string): Promise<void> {
    this.members.delete(id);
    for (const other of this.members.values()) await other.exchange.removeMember(id);
  }

  async deliver(posted: Posted): Promise<KeyRejection | null> {
    const route = this.route(posted);
    if (!route) return null;
    const rejection = await route.target.exchange.receive(route.as, posted.data);
    if (rejection) route.target.rejections.push(rejection);
    return rejection;
  }

  /** Delivers until nobody has anything left to say. */
  async flush(): Promise<void> {
    for (let posted = this.queue.shift(); posted; posted = this.queue.shift()) await this.deliver(posted);
  }
}

/** Whether `receiver` can open a frame `sender` sealed (null: the sender had no key). */
export async function reads(receiver: Member, sender: Member, sealed: ArrayBuffer | null): Promise<string> {
  if (!sealed) return "not sent";
  const result = await new FrameDecryptor((keyId) => receiver.keys.get(sender.id)?.get(keyId)).decrypt(sealed);
  return result.ok ? "reads" : result.reason;
}

export const VIDEO = { kind: "video", type: "delta", mimeType: "video/VP8" } as const;
export const seal = (member: Member) => member.encryptor.encrypt(new Uint8Array(120).fill(7).buffer, VIDEO);
