/**
 * A small model of who may be in a room, for the model-based test (room-model.test.ts).
 *
 * It is written from the rules as the issue states them, not from room-core.ts: an
 * identity lives while its socket is connected or away within the resume grace; a
 * deliberate leave, grace expiry or removal ends it for good; a resume token revives
 * only a live identity and anything else is an ordinary join. For every step the model
 * predicts, per client, the messages the room must send (in a normalized text form, see
 * model-harness.ts) and which sockets it must close. Where the real room may take one of
 * several paths (a key try near the end of a throttle wait, since real time passes too),
 * it returns one outcome per path and the harness picks the one that was observed.
 *
 * Pure data and functions: no sockets, no workerd, so it can be read as the spec.
 */

export const NAMES = ["Ada", "Bo", "Cy", "Dee", "Eli", "Fay"] as const;
export const MAX_CLIENTS = NAMES.length;
/** Two lock keys, so a key that opened the room before a re-lock is a wrong key after it. */
export const KEYS = ["correct horse battery", "staple paperclip"] as const;
export const WRONG_KEY = "not the key at all";
/** A well-formed id that names no knock: what an admit of a never-seen knock sends. */
export const UNKNOWN_ID = "0".repeat(32);

/** Mirrors the room's constants; the test imports the real ones and checks they agree. */
export const RULES = {
  maxPeers: 8,
  maxPendingKnocks: 5,
  resumeGraceMs: 20_000,
  knockLapseMs: 2 * 60_000,
  freeTries: 5,
};

/** Real time passes while a run executes; a wait this close to its end may or may not be over. */
const CLOCK_SLACK_MS = 60_000;

export type KeyChoice = "none" | "key0" | "key1" | "wrong";

export function keyText(choice: KeyChoice): string | undefined {
  if (choice === "none") return undefined;
  if (choice === "wrong") return WRONG_KEY;
  return KEYS[choice === "key0" ? 0 : 1];
}

/** How an identity stands: alive (connected or away within grace) or ended, and how. */
export type Status = "connected" | "away" | "left" | "expired" | "removed";

export interface Identity {
  /** The peer id from its welcome; null only within the step that creates it. */
  id: string | null;
  token: string;
  name: string;
  status: Status;
  /** The client whose socket holds it, while connected. */
  slot: number | null;
  /** While away: the room clock (model ms) when its grace ends. */
  awayUntil: number;
}

export interface KnockRecord {
  /** Learned from the `knocking` members see; null while no member has seen it. */
  id: string | null;
  slot: number;
  name: string;
  at: number;
  pending: boolean;
}

export type Slot =
  | { socket: "none" }
  | { socket: "outside"; knock: number | null }
  | { socket: "member"; identity: number };

export interface State {
  clients: number;
  slots: Slot[];
  identities: Identity[];
  knocks: KnockRecord[];
  lockKey: string | null;
  /** Model time (ms) the room's clock has been moved forward by. */
  clock: number;
  guesses: { failures: number; nextAllowedAt: number };
}

/** Why a client may be welcomed into a locked room; nothing else lets it in. */
export type Entry = "right key" | "admitted" | "resumed a live identity";

export interface Outcome {
  /** Which path this is, for failure messages. */
  path: string;
  next: State;
  /** Per client: the normalized messages it must receive in this step, in any order. */
  expect: string[][];
  /** Per client: the close code it must see (0: any code), or null if its socket stays open. */
  closes: (number | null)[];
  /** An identity created in this step: its id and token come from this client's welcome. */
  newIdentity: { index: number; slot: number } | null;
  /** A knock created in this step whose id members will learn from `knocking`. */
  newKnock: number | null;
}

export function initialState(clients: number): State {
  return {
    clients,
    slots: Array.from({ length: clients }, () => ({ socket: "none" }) as Slot),
    identities: [],
    knocks: [],
    lockKey: null,
    clock: 0,
    guesses: { failures: 0, nextAllowedAt: 0 },
  };
}

export const isLive = (identity: Identity) => identity.status === "connected" || identity.status === "away";

export function liveIdentities(state: State): number[] {
  return state.identities.flatMap((identity, index) => (isLive(identity) ? [index] : []));
}

export function memberIdentity(state: State, slot: number): number | null {
  const s = state.slots[slot]!;
  return s.socket === "member" ? s.identity : null;
}

/** The knock id a member's admit or deny for `slot` names: its pending knock, an old one, or none at all. */
export function knockIdFor(state: State, slot: number): string {
  const s = state.slots[slot]!;
  if (s.socket === "outside" && s.knock !== null && state.knocks[s.knock]!.id) return state.knocks[s.knock]!.id!;
  const old = state.knocks.filter((k) => k.slot === slot && k.id !== null).at(-1);
  return old?.id ?? UNKNOWN_ID;
}

/** The wait after the `failures`-th wrong key, as the throttle schedule states it. */
function waitAfterFailures(failures: number): number {
  if (failures < RULES.freeTries) return 0;
  return Math.min(1_000 * 2 ** Math.min(failures - RULES.freeTries, 30), 15 * 60_000);
}

/**
 * One simulated step: a copy of the state plus what each client must hear. Labels name
 * identities `#n` (n-th identity of the run) and knocks `Kn`; whatever is new in this
 * step has no known id yet and is written `?`, just as the harness writes unknown ids.
 */
class Sim {
  readonly s: State;
  readonly expect: string[][];
  readonly closes: (number | null)[];
  newIdentity: { index: number; slot: number } | null = null;
  newKnock: number | null = null;
  private newLabel = "?";

  constructor(
    state: State,
    readonly path: string,
  ) {
    this.s = structuredClone(state);
    this.expect = this.s.slots.map(() => []);
    this.closes = this.s.slots.map(() => null);
  }

  outcome(): Outcome {
    return {
      path: this.path,
      next: this.s,
      expect: this.expect,
      closes: this.closes,
      newIdentity: this.newIdentity,
      newKnock: this.newKnock,
    };
  }

  /** Identity `index` is new in this step; until the harness learns its id, messages name it `label`. */
  created(index: number, slot: number, label: string): void {
    this.newIdentity = { index, slot };
    this.newLabel = label;
  }

  label(identity: number): string {
    return identity === this.newIdentity?.index ? this.newLabel : `#${identity}`;
  }

  knockLabel(knock: number): string {
    return this.s.knocks[knock]!.id === null ? "?" : `K${knock}`;
  }

  name(slot: number): string {
    return NAMES[slot]!;
  }

  reply(slot: number, message: string): void {
    this.expect[slot]!.push(message);
  }

  /** To every connected member, except the holder of identity `except`. */
  broadcast(message: string, except: number | null = null): void {
    this.s.slots.forEach((slot, index) => {
      if (slot.socket === "member" && slot.identity !== except) this.expect[index]!.push(message);
    });
  }

  close(slot: number, code: number): void {
    this.closes[slot] = code;
    this.s.slots[slot] = { socket: "none" };
  }

  live(): number[] {
    return liveIdentities(this.s);
  }

  peersOf(identity: number | null): string {
    const peers = this.live()
      .filter((i) => i !== identity)
      .map((i) => `${this.label(i)}:${this.s.identities[i]!.name}`);
    return peers.sort().join(",");
  }

  pendingKnock(slot: number): number | null {
    const s = this.s.slots[slot]!;
    return s.socket === "outside" ? s.knock : null;
  }

  endKnock(knock: number, outcome: string): void {
    const record = this.s.knocks[knock]!;
    record.pending = false;
    const slot = this.s.slots[record.slot]!;
    if (slot.socket === "outside" && slot.knock === knock) slot.knock = null;
    this.broadcast(`knock-ended ${this.knockLabel(knock)} ${outcome}`);
  }

  /**
   * `slot` becomes a new member. A pending knock of its own is withdrawn, and its id
   * becomes the member's id (the room reuses it), so the welcome names it by that knock.
   */
  admitNew(slot: number): void {
    const knock = this.pendingKnock(slot);
    const index = this.s.identities.length;
    this.s.identities.push({
      id: knock === null ? null : this.s.knocks[knock]!.id,
      token: "",
      name: this.name(slot),
      status: "connected",
      slot,
      awayUntil: 0,
    });
    this.created(index, slot, knock === null ? "?" : this.knockLabel(knock));
    this.broadcast(`peer-joined ${this.label(index)} ${this.name(slot)}`);
    if (knock !== null) this.endKnock(knock, "withdrawn");
    this.reply(slot, this.welcome(index));
    this.s.slots[slot] = { socket: "member", identity: index };
  }

  welcome(identity: number): string {
    return `welcome ${this.label(identity)} peers=[${this.peersOf(identity)}] ${this.s.lockKey ? "locked" : "open"}`;
  }
}

type Branch = (sim: Sim) => void;

/** Runs each branch on its own copy of the state. */
function outcomes(state: State, branches: [string, Branch][]): Outcome[] {
  return branches.map(([path, branch]) => {
    const sim = new Sim(state, path);
    branch(sim);
    return sim.outcome();
  });
}

/** A join without a (honoured) resume: the lock, the key and the throttle decide. */
function ordinaryJoin(state: State, slot: number, key: KeyChoice): [string, Branch][] {
  const admitUnlessFull = (sim: Sim) => {
    if (sim.live().length >= RULES.maxPeers) sim.reply(slot, "denied full");
    else sim.admitNew(slot);
  };
  if (!state.lockKey) return [["unlocked", admitUnlessFull]];
  if (key === "none") return [["locked, no key", (sim) => sim.reply(slot, "denied locked")]];
  const throttled: [string, Branch] = ["throttled", (sim) => sim.reply(slot, "denied throttled")];
  const tried: [string, Branch] =
    keyText(key) === state.lockKey
      ? ["right key", admitUnlessFull]
      : [
          "wrong key",
          (sim) => {
            const failures = sim.s.guesses.failures + 1;
            const wait = waitAfterFailures(failures);
            sim.s.guesses = { failures, nextAllowedAt: wait > 0 ? sim.s.clock + wait : 0 };
            sim.reply(slot, `denied wrong-key left=${Math.max(0, RULES.freeTries - failures)}`);
            sim.broadcast(`key-guessed ${failures}`);
          },
        ];
  const { nextAllowedAt } = state.guesses;
  if (state.clock >= nextAllowedAt) return [tried];
  if (nextAllowedAt - state.clock > CLOCK_SLACK_MS) return [throttled];
  return [throttled, tried];
}

/** A client without a socket connects first: it starts outside, with no knock. */
function withOpenSocket(state: State, slot: number): State {
  const copy = structuredClone(state);
  if (copy.slots[slot]!.socket === "none") copy.slots[slot] = { socket: "outside", knock: null };
  return copy;
}

export function join(state: State, slot: number, key: KeyChoice): Outcome[] {
  const withSocket = withOpenSocket(state, slot);
  return outcomes(withSocket, ordinaryJoin(withSocket, slot, key));
}

/** Whether a resume as identity `who` with `tokenOf`'s token is honoured: genuine and alive. */
export function resumeHonoured(state: State, who: number, tokenOf: number): boolean {
  return who === tokenOf && isLive(state.identities[who]!);
}

export function resume(state: State, slot: number, who: number, tokenOf: number, key: KeyChoice): Outcome[] {
  const withSocket = withOpenSocket(state, slot);
  if (!resumeHonoured(state, who, tokenOf)) return outcomes(withSocket, ordinaryJoin(withSocket, slot, key));
  return outcomes(withSocket, [
    [
      "resumed",
      (sim) => {
        const identity = sim.s.identities[who]!;
        // The old socket, if the identity is still connected elsewhere, is replaced.
        if (identity.slot !== null && identity.status === "connected") sim.close(identity.slot, 4001);
        sim.broadcast(`peer-joined #${who} ${sim.name(slot)}`, who);
        const knock = sim.pendingKnock(slot);
        if (knock !== null) sim.endKnock(knock, "withdrawn");
        identity.name = sim.name(slot);
        sim.reply(slot, sim.welcome(who));
        Object.assign(identity, { status: "connected", slot, awayUntil: 0 });
        sim.s.slots[slot] = { socket: "member", identity: who };
      },
    ],
  ]);
}

/** The client closes its socket: 1000 is a deliberate leave, anything else looks like a network drop. */
export function close(state: State, slot: number, deliberate: boolean): Outcome[] {
  return outcomes(state, [
    [
      deliberate ? "leave" : "drop",
      (sim) => {
        const s = sim.s.slots[slot]!;
        if (s.socket === "member") {
          const identity = sim.s.identities[s.identity]!;
          identity.slot = null;
          if (deliberate) {
            identity.status = "left";
            sim.broadcast(`peer-left #${s.identity}`, s.identity);
          } else {
            identity.status = "away";
            identity.awayUntil = sim.s.clock + RULES.resumeGraceMs;
          }
        } else if (s.socket === "outside" && s.knock !== null) {
          sim.endKnock(s.knock, "withdrawn");
        }
        sim.close(slot, 0);
      },
    ],
  ]);
}

export function lock(state: State, slot: number, keyIndex: 0 | 1): Outcome[] {
  return outcomes(state, [
    [
      "lock",
      (sim) => {
        sim.broadcast(`locked by=${sim.s.identities[memberIdentity(sim.s, slot)!]!.name}`);
        sim.s.lockKey = KEYS[keyIndex];
        sim.s.guesses = { failures: 0, nextAllowedAt: 0 };
      },
    ],
  ]);
}

export function unlock(state: State, slot: number): Outcome[] {
  if (!state.lockKey) return outcomes(state, [["not locked", (sim) => sim.reply(slot, "error not-locked")]]);
  return outcomes(state, [
    [
      "unlock",
      (sim) => {
        sim.broadcast(`unlocked by=${sim.s.identities[memberIdentity(sim.s, slot)!]!.name}`);
        sim.s.lockKey = null;
        sim.s.guesses = { failures: 0, nextAllowedAt: 0 };
      },
    ],
  ]);
}

/** A member removes identity `who`, connected or away: it ends for good, and everyone else hears it left. */
export function kick(state: State, slot: number, who: number): Outcome[] {
  const self = memberIdentity(state, slot);
  if (who === self || !isLive(state.identities[who]!)) {
    return outcomes(state, [["no such peer", (sim) => sim.reply(slot, "error unknown-peer")]]);
  }
  return outcomes(state, [
    [
      "removed",
      (sim) => {
        const target = sim.s.identities[who]!;
        const by = sim.s.identities[self!]!.name;
        if (target.status === "connected" && target.slot !== null) {
          sim.reply(target.slot, `removed by=${by}`);
          sim.close(target.slot, 4003);
        }
        Object.assign(target, { status: "removed", slot: null });
        sim.broadcast(`peer-left #${who}`, who);
      },
    ],
  ]);
}

export function knock(state: State, slot: number): Outcome[] {
  const withSocket = withOpenSocket(state, slot);
  return outcomes(withSocket, [
    [
      "knock",
      (sim) => {
        const own = sim.pendingKnock(slot);
        const others = sim.s.knocks.filter((k, i) => k.pending && i !== own).length;
        if (!sim.s.lockKey) return sim.reply(slot, "error not-locked");
        if (sim.live().length >= RULES.maxPeers) return sim.reply(slot, "denied full");
        if (own === null && others >= RULES.maxPendingKnocks) return sim.reply(slot, "denied too-many-knocks");
        let index = own;
        if (index === null) {
          index = sim.s.knocks.length;
          sim.s.knocks.push({ id: null, slot, name: sim.name(slot), at: 0, pending: true });
          sim.s.slots[slot] = { socket: "outside", knock: index };
        }
        // Knocking again renews the same knock (same id, fresh two minutes).
        sim.s.knocks[index]!.at = sim.s.clock;
        if (sim.s.knocks[index]!.id === null) sim.newKnock = index;
        sim.reply(slot, "knock-sent");
        sim.broadcast(`knocking ${sim.knockLabel(index)} ${sim.name(slot)}`);
      },
    ],
  ]);
}

/** A member admits or denies the knock of client `target` (its pending one, an old one, or a made-up id). */
export function answer(state: State, slot: number, target: number, admit: boolean): Outcome[] {
  const id = knockIdFor(state, target);
  const index = state.knocks.findIndex((k) => k.pending && k.id === id);
  if (index < 0) return outcomes(state, [["no such knock", (sim) => sim.reply(slot, "error unknown-knock")]]);
  const knocker = state.knocks[index]!.slot;
  return outcomes(state, [
    [
      admit ? "admit" : "deny",
      (sim) => {
        if (!admit) {
          sim.reply(knocker, "denied knock-declined");
          return sim.endKnock(index, "declined");
        }
        if (sim.live().length >= RULES.maxPeers) {
          sim.reply(knocker, "denied full");
          return sim.endKnock(index, "full");
        }
        const record = sim.s.knocks[index]!;
        const identity = sim.s.identities.length;
        sim.s.identities.push({ id, token: "", name: record.name, status: "connected", slot: knocker, awayUntil: 0 });
        // Named by its knock's label: the harness has not learned it as an identity yet.
        sim.created(identity, knocker, `K${index}`);
        sim.broadcast(`peer-joined ${sim.label(identity)} ${record.name}`);
        sim.endKnock(index, "admitted");
        sim.reply(knocker, sim.welcome(identity));
        sim.s.slots[knocker] = { socket: "member", identity };
      },
    ],
  ]);
}

/** The room's clock moves on by `ms` and its alarm runs: knocks lapse, away identities expire. */
export function alarm(state: State, ms: number): Outcome[] {
  return outcomes(state, [
    [
      "alarm",
      (sim) => {
        sim.s.clock += ms;
        sim.s.knocks.forEach((record, index) => {
          if (!record.pending || sim.s.clock - record.at < RULES.knockLapseMs) return;
          sim.reply(record.slot, "denied knock-lapsed");
          sim.endKnock(index, "lapsed");
        });
        sim.s.identities.forEach((identity, index) => {
          if (identity.status !== "away" || identity.awayUntil > sim.s.clock) return;
          identity.status = "expired";
          sim.broadcast(`peer-left #${index}`);
        });
      },
    ],
  ]);
}

/** The room is evicted from memory; hibernated sockets stay open and nothing may change. */
export function evict(state: State): Outcome[] {
  return outcomes(state, [["evicted", () => {}]]);
}

/**
 * The spec's entry rule, on its own: why `slot` may be welcomed into the (locked) room
 * by this action, or null if nothing entitles it. Checked separately from the predicted
 * messages, so an access hole is reported as such.
 */
export function entryFor(
  state: State,
  action:
    | { kind: "join"; slot: number; key: KeyChoice }
    | { kind: "resume"; slot: number; who: number; tokenOf: number; key: KeyChoice }
    | { kind: "admit"; slot: number; target: number }
    | { kind: "other" },
  slot: number,
): Entry | null {
  if (action.kind === "admit") {
    const id = knockIdFor(state, action.target);
    const pending = state.knocks.some((k) => k.pending && k.id === id && k.slot === slot);
    return pending ? "admitted" : null;
  }
  if (action.kind === "other" || action.slot !== slot) return null;
  if (action.kind === "resume" && resumeHonoured(state, action.who, action.tokenOf)) return "resumed a live identity";
  return keyText(action.key) === state.lockKey ? "right key" : null;
}
