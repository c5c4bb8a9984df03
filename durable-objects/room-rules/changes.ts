/**
 * The effects a decision ends in, and the builder the rules make them with.
 *
 * An effect is a plain instruction the shell carries out as it is, in order: send, broadcast,
 * attach, close, accept, store, delete, set the alarm. None of them asks the shell to decide
 * anything or to call back. The builder also keeps the room's state up to date as effects are
 * added (state.ts), so each step of a decision sees the previous ones, and when the decision
 * changed who is in the room it ends with the call mode brought up to date (call-mode.ts) and
 * the room's next alarm (schedule.ts).
 */
import type { ServerMessage } from "../../common/protocol";
import { type CallModeRecord, callModeDueAt, MESH, settleCallMode } from "./call-mode";
import type { Facts, MemberRecord, RoomRecords, SocketAttachment } from "./facts";
import { StorageKey } from "./facts";
import type { BudgetState } from "./message-budget";
import { schedule } from "./schedule";
import { midsOf, type SfuCall, type SfuRecord } from "./sfu-calls";
import { RoomState } from "./state";

export type Effect =
  /** To one socket (by its index in the facts), whether or not it has joined. */
  | { kind: "send"; socket: number; message: ServerMessage }
  /** To every member with a live socket except member `except`, as the sockets stand when it is applied. */
  | { kind: "broadcast"; except: string | null; message: ServerMessage }
  /** The socket's new attachment, whole. */
  | { kind: "attach"; socket: number; attachment: SocketAttachment }
  /** Close the socket (the room is already done with it: no departure follows). */
  | { kind: "close"; socket: number; code: number; reason: string }
  /** Accept the WebSocket being opened, with this attachment. */
  | { kind: "accept"; attachment: SocketAttachment }
  /** Keep a socket's running flood-control bucket in memory. */
  | { kind: "keep-budget"; socket: number; bucket: "messages" | "state" | "reactions"; state: BudgetState }
  /** Keep the room's key-hash bucket in memory. */
  | { kind: "keep-hash-budget"; state: BudgetState }
  | { kind: "store"; key: string; value: unknown }
  | { kind: "delete"; keys: string[] }
  /** Forget everything in storage. */
  | { kind: "delete-all" }
  /** Set the alarm, or (null) delete it. */
  | { kind: "alarm"; at: number | null }
  /** Make this request to the SFU; its outcome comes back as an `sfu-result` event. */
  | { kind: "sfu"; call: SfuCall };

export class Changes {
  readonly effects: Effect[] = [];
  readonly room: RoomState;
  private rescheduled = false;
  private purged = false;
  /** SFU sessions this decision changed (null: forgotten), over the stored ones. */
  private readonly sfuRecords = new Map<string, SfuRecord | null>();
  /** The call mode as this decision changed it (undefined: as stored). */
  private callModeRecord: CallModeRecord | undefined;

  constructor(readonly facts: Facts) {
    this.room = new RoomState(facts);
  }

  get now(): number {
    return this.facts.now;
  }

  /** The room's records; only rules that asked for them may call this. */
  get records(): RoomRecords {
    if (!this.facts.records) throw new Error("The rules used the room's records without asking for them.");
    return this.facts.records;
  }

  /** Returns undefined, so a rule can answer and stop in one line: `return changes.send(...)`. */
  send(socket: number, message: ServerMessage): undefined {
    this.effects.push({ kind: "send", socket, message });
  }

  broadcast(except: string | null, message: ServerMessage): void {
    this.effects.push({ kind: "broadcast", except, message });
  }

  /** Replaces the socket's attachment. */
  attach(socket: number, attachment: SocketAttachment): void {
    this.room.setAttachment(socket, attachment);
    this.effects.push({ kind: "attach", socket, attachment });
  }

  /** Changes some fields of the socket's attachment. */
  update(socket: number, change: Partial<SocketAttachment>): void {
    this.attach(socket, { ...this.room.attachment(socket), ...change });
  }

  close(socket: number, code: number, reason: string): void {
    this.effects.push({ kind: "close", socket, code, reason });
  }

  accept(attachment: SocketAttachment): void {
    this.room.addSocket(attachment);
    this.effects.push({ kind: "accept", attachment });
  }

  keepBudget(socket: number, bucket: "messages" | "state" | "reactions", state: BudgetState): void {
    this.effects.push({ kind: "keep-budget", socket, bucket, state });
  }

  keepHashBudget(state: BudgetState): void {
    this.effects.push({ kind: "keep-hash-budget", state });
  }

  store(key: string, value: unknown): void {
    this.effects.push({ kind: "store", key, value });
  }

  delete(...keys: string[]): void {
    this.effects.push({ kind: "delete", keys });
  }

  putIdentity(record: MemberRecord): void {
    this.room.setIdentity(record);
    this.store(StorageKey.member + record.member.id, record);
  }

  /**
   * Ends identity `id` for good: its resume token is worthless from now on, and its SFU
   * session (if it has one) is closed, so a member who left or was removed gets no more media.
   */
  dropIdentity(id: string): void {
    this.room.deleteIdentity(id);
    this.delete(StorageKey.member + id);
    const session = this.sfuRecord(id);
    if (!session) return;
    this.setSfuRecord(id, null);
    const mids = midsOf(session);
    if (mids.length > 0) this.sfu({ op: "end", member: id, sessionId: session.sessionId, mids });
  }

  /** Member `id`'s SFU session as this decision leaves it. */
  sfuRecord(id: string): SfuRecord | null {
    if (this.sfuRecords.has(id)) return this.sfuRecords.get(id) ?? null;
    return this.facts.records?.sfu?.[id] ?? null;
  }

  /** Keeps (or, with null, forgets) member `id`'s SFU session. */
  setSfuRecord(id: string, record: SfuRecord | null): void {
    this.sfuRecords.set(id, record);
    if (record) this.store(StorageKey.sfu + id, record);
    else this.delete(StorageKey.sfu + id);
  }

  /** The call mode as this decision leaves it (call-mode.ts). */
  callMode(): CallModeRecord {
    return this.callModeRecord ?? this.facts.records?.callMode ?? MESH;
  }

  /** Keeps the call mode; plain mesh is kept as no record at all. */
  setCallMode(record: CallModeRecord): void {
    this.callModeRecord = record;
    if (record.mode === "mesh" && record.smallSince === undefined) this.delete(StorageKey.callMode);
    else this.store(StorageKey.callMode, record);
  }

  sfu(call: SfuCall): void {
    this.effects.push({ kind: "sfu", call });
  }

  /** Who is in the room, knocking or at the door changed: the next alarm is worked out at the end. */
  reschedule(): void {
    this.rescheduled = true;
  }

  /** An empty room keeps no data: the lock, guess counts, the resume secret, everything. */
  purge(): void {
    this.purged = true;
    this.effects.push({ kind: "alarm", at: null }, { kind: "delete-all" });
  }

  /** The decision's effects, ending with the next alarm when it is due for one. */
  finish(): Effect[] {
    if (this.rescheduled && !this.purged) {
      // Who is in the call may have changed: so may the call mode (only where the SFU is configured).
      settleCallMode(this, this.room.everyone().length, null);
      const next = schedule(this.room, this.now, callModeDueAt(this.callMode()));
      if (next.emptySince !== this.room.emptySince) {
        if (next.emptySince === null) this.delete(StorageKey.emptySince);
        else this.store(StorageKey.emptySince, next.emptySince);
      }
      this.effects.push({ kind: "alarm", at: next.alarmAt });
    }
    return this.effects;
  }
}
