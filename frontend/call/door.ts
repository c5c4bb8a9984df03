/**
 * The door of a locked room, from both sides: outside, trying a key or knocking; inside, locking,
 * unlocking, answering knocks, and the news that comes with it (who locked, who knocks, wrong
 * keys tried). What the room refused a member is said here too, since it is mostly the lock.
 */
import { batch, type ReadonlySignal, signal } from "@preact/signals-core";
import type { ClientMessage, LockInfo, ServerMessage } from "../../common/protocol";
import type { Problem } from "../i18n/problem";
import { type Access, accessAfterDenial } from "./access";
import type { RoomNoticeCode } from "./handle";
import { roomKeyProblem } from "./room-key";
import { Scope } from "./scope";
import type { CallStatus } from "./status";

/** Someone outside a locked room asking to be let in. */
export interface KnockRequest {
  readonly id: string;
  readonly name: string;
  /** The room says the name looks like that of someone inside (or of another knocker). */
  readonly nameInUse?: boolean;
}

/** A lock or unlock that just happened, for announcing it (`lock` alone cannot say who unlocked). */
export interface LockNews {
  readonly locked: boolean;
  readonly by: string;
  /** Who, by peer id: two people may share the name. */
  readonly byId: string;
}

/** Someone outside tried a wrong key: members are told, never affected. */
export interface GuessWarning {
  /** Wrong keys in a row so far. */
  readonly failures: number;
  /** When we heard (ms since epoch). */
  readonly at: number;
}

/** How long a wrong-key warning stays up: long enough to read, short enough not to nag. */
export const GUESS_WARNING_MS = 10_000;
/** How long a refusal from the room (a lock too soon, the room busy) stays on screen. */
export const ROOM_NOTICE_MS = 6_000;
/** Refusals of something a member asked for, which the member should hear about; other errors are races. */
const TOLD_ERRORS: ReadonlySet<string> = new Set<RoomNoticeCode>([
  "lock-cooldown",
  "busy",
  "rate-limited",
  "too-many-reactions",
]);

function isToldError(code: string): code is RoomNoticeCode {
  return TOLD_ERRORS.has(code);
}

/** The room's messages about the door, routed here by the call. */
export type DoorMessage = Extract<
  ServerMessage,
  { type: "knock-sent" | "locked" | "unlocked" | "knocking" | "knock-ended" | "key-guessed" }
>;

export interface DoorDeps {
  status: ReadonlySignal<CallStatus>;
  selfName: ReadonlySignal<string>;
  send(message: ClientMessage): void;
  now(): number;
}

export class Door {
  readonly #access = signal<Access>({ state: "unknown" });
  readonly #lock = signal<LockInfo | null>(null);
  readonly #lockNews = signal<LockNews | null>(null);
  readonly #knocks = signal<readonly KnockRequest[]>([]);
  readonly #guessWarning = signal<GuessWarning | null>(null);
  readonly #roomNotice = signal<RoomNoticeCode | null>(null);
  /** Where we stand at the door; "in" once we are in the call. */
  readonly access: ReadonlySignal<Access> = this.#access;
  readonly lock: ReadonlySignal<LockInfo | null> = this.#lock;
  readonly lockNews: ReadonlySignal<LockNews | null> = this.#lockNews;
  readonly knocks: ReadonlySignal<readonly KnockRequest[]> = this.#knocks;
  readonly guessWarning: ReadonlySignal<GuessWarning | null> = this.#guessWarning;
  readonly roomNotice: ReadonlySignal<RoomNoticeCode | null> = this.#roomNotice;

  readonly #deps: DoorDeps;
  readonly #scope = new Scope();
  /** A peer to remove as soon as the room confirms our lock (so they cannot walk back in). */
  #removeAfterLock: string | null = null;

  #hideGuessWarning: (() => void) | null = null;
  #hideRoomNotice: (() => void) | null = null;

  constructor(deps: DoorDeps) {
    this.#deps = deps;
  }

  get #status(): CallStatus {
    return this.#deps.status.value;
  }

  /** Let in (a welcome): the lock as the room has it, and we are in. */
  enter(lock: LockInfo | null): void {
    batch(() => {
      this.#lock.value = lock;
      this.#access.value = { state: "in" };
    });
  }

  /** Turned away: where that leaves us at the door, or null when the room is simply full. */
  denied(message: Extract<ServerMessage, { type: "denied" }>): Access | null {
    const access = accessAfterDenial(message, this.#deps.now());
    if (access !== null) this.#access.value = access;
    return access;
  }

  receive(message: DoorMessage): void {
    switch (message.type) {
      case "knock-sent":
        if (this.#status === "outside") this.#access.value = { state: "knocking" };
        break;
      case "locked":
        batch(() => {
          this.#lock.value = { by: message.by, byId: message.byId };
          this.#lockNews.value = { locked: true, by: message.by, byId: message.byId };
        });
        if (this.#removeAfterLock !== null) {
          this.#deps.send({ type: "kick", id: this.#removeAfterLock });
          this.#removeAfterLock = null;
        }
        break;
      case "unlocked":
        batch(() => {
          this.#lock.value = null;
          this.#lockNews.value = { locked: false, by: message.by, byId: message.byId };
        });
        break;
      case "knocking":
        // A renewed knock keeps its id (and its place is taken anew, since it starts a fresh wait).
        this.#knocks.value = [
          ...this.#knocks.value.filter((k) => k.id !== message.id),
          { id: message.id, name: message.name, ...(message.nameInUse && { nameInUse: true }) },
        ];
        break;
      case "knock-ended":
        this.#dropKnock(message.id);
        break;
      case "key-guessed":
        // A newer warning restarts the wait before it goes.
        this.#hideGuessWarning?.();
        this.#guessWarning.value = { failures: message.failures, at: this.#deps.now() };
        this.#hideGuessWarning = this.#scope.later(GUESS_WARNING_MS, () => {
          this.#guessWarning.value = null;
        });
        break;
    }
  }

  /** An error from the room once it has answered our join: the door's business, or a race to shrug off. */
  refused(message: Extract<ServerMessage, { type: "error" }>): void {
    const status = this.#status;
    if (status === "outside" && message.code === "not-locked") {
      // Unlocked while we stood at the door (nobody tells outsiders): just walk in.
      this.#deps.send({ type: "join", name: this.#deps.selfName.value });
    } else if (status === "outside" && this.#access.value.state === "checking-key") {
      this.#access.value = { state: "locked" };
    } else if (status === "joined" && isToldError(message.code)) {
      // The button someone pressed did nothing: say why, or it looks broken.
      this.#hideRoomNotice?.();
      this.#roomNotice.value = message.code;
      this.#hideRoomNotice = this.#scope.later(ROOM_NOTICE_MS, () => {
        this.#roomNotice.value = null;
      });
    }
  }

  submitKey(key: string): Problem | null {
    const problem = roomKeyProblem(key);
    if (problem !== null) return problem;
    if (this.#status !== "outside") return null;
    this.#access.value = { state: "checking-key" };
    // The key exists only in this one message: never stored, logged, or kept for a retry.
    this.#deps.send({ type: "join", name: this.#deps.selfName.value, key });
    return null;
  }

  knock(): void {
    if (this.#status !== "outside") return;
    // Shown at once; the room's knock-sent or denial follows within a round trip.
    this.#access.value = { state: "knocking" };
    this.#deps.send({ type: "knock", name: this.#deps.selfName.value });
  }

  lockRoom(key: string, options: { thenRemove?: string } = {}): Problem | null {
    const problem = roomKeyProblem(key);
    if (problem !== null) return problem;
    if (this.#status !== "joined") return null;
    this.#removeAfterLock = options.thenRemove ?? null;
    this.#deps.send({ type: "lock", key });
    return null;
  }

  unlockRoom(): void {
    if (this.#status === "joined") this.#deps.send({ type: "unlock" });
  }

  answerKnock(id: string, answer: "admit" | "deny"): void {
    if (this.#status !== "joined") return;
    this.#deps.send({ type: answer, id });
    // Everyone's prompt goes when the room reports knock-ended; ours goes now so it cannot be answered twice.
    this.#dropKnock(id);
  }

  removePeer(peerId: string): void {
    if (this.#status === "joined") this.#deps.send({ type: "kick", id: peerId });
  }

  #dropKnock(id: string): void {
    const knocks = this.#knocks.value;
    if (knocks.some((k) => k.id === id)) this.#knocks.value = knocks.filter((k) => k.id !== id);
  }

  /** The call is over: nothing pending, nothing left on screen that asks for an answer. */
  dispose(): void {
    this.#scope.dispose();
    this.#removeAfterLock = null;
    batch(() => {
      this.#knocks.value = [];
      this.#guessWarning.value = null;
      this.#roomNotice.value = null;
    });
  }
}
