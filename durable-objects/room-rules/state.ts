/**
 * The room as one decision sees it while it is being made: the sockets' attachments and the
 * live identities from the facts, with the decision's own changes laid over them, and the
 * questions every rule asks of them (who is connected, who is knocking, who is at the door,
 * who is live). Rules read this rather than the raw facts, so that a later step of a decision
 * sees what an earlier step did, exactly as the shell will have applied it by then.
 */
import type { DoorSocket } from "./door";
import type { Facts, Knock, Member, MemberRecord, SocketAttachment } from "./facts";

export class RoomState {
  private readonly attachments: SocketAttachment[];
  private readonly identityMap: Map<string, MemberRecord> | null;
  /** When the room became empty, as stored (the schedule updates it when the decision ends). */
  readonly emptySince: number | null;

  constructor(facts: Facts) {
    this.attachments = facts.sockets.map((socket) => socket.attachment);
    this.identityMap = facts.records ? new Map(facts.records.identities.map((r) => [r.member.id, r])) : null;
    this.emptySince = facts.records?.emptySince ?? null;
  }

  /** How many sockets there are, the one this decision accepts included. */
  get socketCount(): number {
    return this.attachments.length;
  }

  attachment(ref: number): SocketAttachment {
    const attachment = this.attachments[ref];
    if (!attachment) throw new RangeError(`No socket ${ref}.`);
    return attachment;
  }

  setAttachment(ref: number, attachment: SocketAttachment): void {
    this.attachment(ref);
    this.attachments[ref] = attachment;
  }

  /** A socket this decision accepts; returns its index. */
  addSocket(attachment: SocketAttachment): number {
    return this.attachments.push(attachment) - 1;
  }

  /** Every live identity, in storage order. Only for decisions that asked for the records. */
  identities(): MemberRecord[] {
    return [...this.records().values()].sort((a, b) => (a.member.id < b.member.id ? -1 : 1));
  }

  identity(id: string): MemberRecord | undefined {
    return this.records().get(id);
  }

  setIdentity(record: MemberRecord): void {
    this.records().set(record.member.id, record);
  }

  deleteIdentity(id: string): void {
    this.records().delete(id);
  }

  /** Members with a live socket, in join order. */
  connectedMembers(): { member: Member; ref: number }[] {
    const members: { member: Member; ref: number; seq: number }[] = [];
    this.attachments.forEach(({ member, departed, seq = 0 }, ref) => {
      if (member && !departed) members.push({ member, ref, seq });
    });
    return members.sort((a, b) => a.seq - b.seq);
  }

  /** The live socket of member `id`, if it is connected. */
  socketOf(id: string): number | undefined {
    const ref = this.attachments.findIndex(({ member, departed }) => member?.id === id && !departed);
    return ref < 0 ? undefined : ref;
  }

  /** Pending knocks, leaving out the one made on socket `except`. */
  knocks(except?: number): { knock: Knock; ref: number }[] {
    const knocks: { knock: Knock; ref: number }[] = [];
    this.attachments.forEach(({ knock, departed }, ref) => {
      if (knock && !departed && ref !== except) knocks.push({ knock, ref });
    });
    return knocks;
  }

  /** The socket that made knock `id`, while it is pending. */
  knockerSocket(id: string): number | undefined {
    return this.knocks().find(({ knock }) => knock.id === id)?.ref;
  }

  /** Sockets at the door: open, not in the call, not knocking. */
  doors(): (DoorSocket & { ref: number })[] {
    const doors: (DoorSocket & { ref: number })[] = [];
    this.attachments.forEach(({ member, knock, departed, client = "unknown", doorSince = 0 }, ref) => {
      if (!member && !knock && !departed) doors.push({ ref, client, since: doorSince });
    });
    return doors;
  }

  /** Everyone in the call, connected or briefly away, in join order. */
  everyone(): Member[] {
    const all: [Member, number][] = this.connectedMembers().map(({ member, ref }) => [
      member,
      this.attachment(ref).seq ?? 0,
    ]);
    for (const record of this.identities()) {
      if (!all.some(([m]) => m.id === record.member.id)) all.push([record.member, record.seq]);
    }
    return all.sort((a, b) => a[1] - b[1]).map(([member]) => member);
  }

  /** Everyone in the call but the member on socket `ref` (if it is one). */
  everyoneBut(ref: number): Member[] {
    const self = this.attachment(ref).member?.id;
    return this.everyone().filter((m) => m.id !== self);
  }

  /**
   * Whether identity `id` may still resume: connected, or away within its grace period. A
   * deliberate leave, an expired grace period or a removal ends an identity for good, so an
   * old token proves only who someone was, not that they may come back.
   */
  isLive(id: string, now: number): boolean {
    if (this.socketOf(id) !== undefined) return true;
    const record = this.identity(id);
    return record !== undefined && (record.until === null || record.until > now);
  }

  /** No one connected and no identity kept: the room may start to forget. */
  isEmpty(): boolean {
    return this.connectedMembers().length === 0 && this.records().size === 0;
  }

  /** The join order for the next admission. */
  nextSeq(): number {
    return Math.max(0, ...this.attachments.map(({ seq = 0 }) => seq)) + 1;
  }

  private records(): Map<string, MemberRecord> {
    if (!this.identityMap) throw new Error("The rules used the room's records without asking for them.");
    return this.identityMap;
  }
}
