/**
 * A small model of who may be in a room, for the model-based test (room-model.test.ts).
 *
 * It is written from the rules as the issue states them, not from room-rules/: an
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
  /** One socket may lock or unlock once per this long. */
  lockCooldownMs: 2_000,
  /** A pending knock may be renewed no sooner than this. */
  knockRenewMs: 10_000,
  /** A declined socket may not knock again for this long. */
  knockHoldMs: 60_000,
  /** A socket at the door (not in the call, not knocking) is closed after this long idle. */
  doorIdleMs: 10_000,
  /** Sockets at the door one client (address) keeps; a newer one closes the oldest. */
  doorSocketsPerClient: 3,
  /** Pending knocks one client (address) may have. */
  knocksPerClient: 2,
  /** Key hashes (locks and key tries) the room does at once, and per second after that. */
  hashBudget: { burst: 8, perSecond: 2 },
  /** Knocks the room passes on at once, and per second after that. */
  knockBudget: { burst: 5, perSecond: 1 / 6 },
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
  /**
   * While away: the room clock (model ms) when its grace ends. Null after a restart closed
   * its socket unseen: its grace starts when the room next notices (its next alarm).
   */
  awayUntil: number | null;
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
  /**
   * At the door, or knocking. `heldUntil`: a member declined this socket's knock; it may not
   * knock before then. `doorSince`: when it last acted at the door (opened, joined, knocked,
   * heard its knock's end); an idle one is closed doorIdleMs later.
   */
  | { socket: "outside"; knock: number | null; heldUntil: number; doorSince: number }
  /** `lockChangedAt`: when this socket last locked or unlocked the room. */
  | { socket: "member"; identity: number; lockChangedAt: number | null };

export interface State {
  clients: number;
  slots: Slot[];
  /** Per client: the identity it last held, whose token it keeps (what a reload resumes with). */
  lastIdentity: (number | null)[];
  identities: Identity[];
  knocks: KnockRecord[];
  lockKey: string | null;
  /** Model time (ms) the room's clock has been moved forward by. */
  clock: number;
  guesses: { failures: number; nextAllowedAt: number };
  /**
   * The room's buckets, as lower bounds: real time also refills them, by an amount the
   * model does not know, so below one token a refusal and a pass are both allowed.
   */
  hashTokens: number;
  knockTokens: number;
  /** All clients connect from one address: the room's per-client limits apply to them together. */
  sharedAddress: boolean;
  /** With a shared address: a declined knock holds off every socket of that address until then. */
  addressHeldUntil: number;
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

export function initialState(clients: number, sharedAddress = false): State {
  return {
    clients,
    slots: Array.from({ length: clients }, () => ({ socket: "none" }) as Slot),
    lastIdentity: Array.from({ length: clients }, () => null),
    identities: [],
    knocks: [],
    lockKey: null,
    clock: 0,
    guesses: { failures: 0, nextAllowedAt: 0 },
    hashTokens: RULES.hashBudget.burst,
    knockTokens: RULES.knockBudget.burst,
    sharedAddress,
    addressHeldUntil: 0,
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

/** The id an admit or deny of knock `n` names: the id members saw, or a made-up one if they saw none. */
export function knockIdFor(state: State, n: number): string {
  return state.knocks[n]?.id ?? UNKNOWN_ID;
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

  /** The room answers knock `knock` for good: the knocker hears `message`, and is back at the door. */
  answerKnocker(knock: number, message: string, outcome: string): void {
    const slot = this.s.knocks[knock]!.slot;
    this.reply(slot, message);
    const s = this.s.slots[slot]!;
    if (s.socket === "outside") s.doorSince = this.s.clock;
    this.endKnock(knock, outcome);
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
    this.s.slots[slot] = { socket: "member", identity: index, lockChangedAt: null };
    this.s.lastIdentity[slot] = index;
  }

  welcome(identity: number): string {
    return `welcome ${this.label(identity)} peers=[${this.peersOf(identity)}] ${this.s.lockKey ? "locked" : "open"}`;
  }
}

type Branch = (sim: Sim) => void;
type Paths = [string, Branch][];

/** Runs each path on its own copy of the state. */
function outcomes(state: State, paths: Paths): Outcome[] {
  return paths.map(([path, branch]) => {
    const sim = new Sim(state, path);
    branch(sim);
    return sim.outcome();
  });
}

/** `then`, unless the room's hash bucket may be empty: then also `refused`. */
function withHash(state: State, refused: [string, Branch], then: [string, Branch]): Paths {
  const spend: [string, Branch] = [
    then[0],
    (sim) => {
      sim.s.hashTokens = Math.max(0, sim.s.hashTokens - 1);
      then[1](sim);
    },
  ];
  return state.hashTokens >= 1 ? [spend] : [refused, spend];
}

/** A join without a (honoured) resume: the lock, the key and the throttles decide. */
function ordinaryJoin(state: State, slot: number, key: KeyChoice): Paths {
  const admitUnlessFull = (sim: Sim) => {
    if (sim.live().length >= RULES.maxPeers) sim.reply(slot, "denied full");
    else sim.admitNew(slot);
  };
  if (!state.lockKey) return [["unlocked", admitUnlessFull]];
  if (key === "none") return [["locked, no key", (sim) => sim.reply(slot, "denied locked")]];
  const throttled: [string, Branch] = ["throttled", (sim) => sim.reply(slot, "denied throttled")];
  const verify: [string, Branch] =
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
  const tried = withHash(state, ["room hashing too much", throttled[1]], verify);
  const { nextAllowedAt } = state.guesses;
  if (state.clock >= nextAllowedAt) return tried;
  if (nextAllowedAt - state.clock > CLOCK_SLACK_MS) return [throttled];
  return [throttled, ...tried];
}

/**
 * A client without a socket connects first: it starts at the door, with no knock. Any
 * join or knock at the door starts the door's idle time afresh. With a shared address, a
 * fourth socket at the door closes that address's oldest ones (4009) rather than being
 * refused. Door sockets that came to the door at the same model time have no order the
 * model knows (the room orders them by real milliseconds, ties by the runtime's socket
 * order), so each choice among them is a possible outcome.
 */
function atDoor(state: State, slot: number, then: (state: State) => Outcome[]): Outcome[] {
  const copy = structuredClone(state);
  const s = copy.slots[slot]!;
  if (s.socket === "outside") s.doorSince = copy.clock;
  if (s.socket !== "none") return then(copy);
  copy.slots[slot] = { socket: "outside", knock: null, heldUntil: 0, doorSince: copy.clock };
  const doors = copy.slots.flatMap((d, i) => (d.socket === "outside" && d.knock === null && i !== slot ? [i] : []));
  const excess = copy.sharedAddress ? doors.length - (RULES.doorSocketsPerClient - 1) : 0;
  if (excess <= 0) return then(copy);
  const age = (i: number) => {
    const d = copy.slots[i] as Extract<Slot, { socket: "outside" }>;
    return d.doorSince;
  };
  const oldest = [...doors].sort((a, b) => age(a) - age(b));
  const edge = age(oldest[excess - 1]!);
  const surely = oldest.filter((i) => age(i) < edge);
  const tied = oldest.filter((i) => age(i) === edge);
  return choose(tied, excess - surely.length).flatMap((picked) => {
    const closed = [...surely, ...picked];
    const alternative = structuredClone(copy);
    for (const i of closed) alternative.slots[i] = { socket: "none" };
    return then(alternative).map((outcome) => {
      for (const i of closed) outcome.closes[i] = 4009;
      return { ...outcome, path: `${outcome.path} (door full: closed ${closed.map((i) => NAMES[i]).join(", ")})` };
    });
  });
}

function choose<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  return items.flatMap((item, i) => choose(items.slice(i + 1), k - 1).map((rest) => [item, ...rest]));
}

/** A client opens a socket and does nothing yet (a hair check, a key prompt). */
export function open(state: State, slot: number): Outcome[] {
  return atDoor(state, slot, (withSocket) => outcomes(withSocket, [["opened", () => {}]]));
}

export function join(state: State, slot: number, key: KeyChoice): Outcome[] {
  return atDoor(state, slot, (withSocket) => outcomes(withSocket, ordinaryJoin(withSocket, slot, key)));
}

/** Whether a resume as identity `who` with `tokenOf`'s token is honoured: genuine and alive. */
export function resumeHonoured(state: State, who: number, tokenOf: number): boolean {
  return who === tokenOf && isLive(state.identities[who]!);
}

export function resume(state: State, slot: number, who: number, tokenOf: number, key: KeyChoice): Outcome[] {
  return atDoor(state, slot, (withSocket) => resumeAtDoor(withSocket, slot, who, tokenOf, key));
}

function resumeAtDoor(withSocket: State, slot: number, who: number, tokenOf: number, key: KeyChoice): Outcome[] {
  if (!resumeHonoured(withSocket, who, tokenOf)) return outcomes(withSocket, ordinaryJoin(withSocket, slot, key));
  return outcomes(withSocket, [
    [
      "resumed",
      (sim) => {
        const identity = sim.s.identities[who]!;
        sim.broadcast(`peer-joined #${who} ${sim.name(slot)}`, who);
        const knock = sim.pendingKnock(slot);
        if (knock !== null) sim.endKnock(knock, "withdrawn");
        // The old socket, if the identity is still connected elsewhere, is replaced as the
        // new one is admitted: until then it is that member, and hears what members hear.
        if (identity.slot !== null && identity.status === "connected") sim.close(identity.slot, 4001);
        identity.name = sim.name(slot);
        sim.reply(slot, sim.welcome(who));
        Object.assign(identity, { status: "connected", slot, awayUntil: 0 });
        sim.s.slots[slot] = { socket: "member", identity: who, lockChangedAt: null };
        sim.s.lastIdentity[slot] = who;
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

/**
 * Lock and unlock go through the socket's cooldown. Real time passes between steps by an
 * amount the model does not know, so within the same model time both answers are allowed.
 */
function withCooldown(state: State, slot: number, then: Paths): Paths {
  const s = state.slots[slot]!;
  if (s.socket !== "member" || s.lockChangedAt === null) return then;
  if (state.clock - s.lockChangedAt >= RULES.lockCooldownMs) return then;
  return [["lock cooldown", (sim) => sim.reply(slot, "error lock-cooldown")], ...then];
}

function markLockChange(sim: Sim, slot: number): void {
  const s = sim.s.slots[slot]!;
  if (s.socket === "member") s.lockChangedAt = sim.s.clock;
}

export function lock(state: State, slot: number, keyIndex: 0 | 1): Outcome[] {
  const busy: [string, Branch] = ["room hashing too much", (sim) => sim.reply(slot, "error busy")];
  const locks: [string, Branch] = [
    "lock",
    (sim) => {
      markLockChange(sim, slot);
      sim.broadcast(`locked by=${sim.s.identities[memberIdentity(sim.s, slot)!]!.name}`);
      sim.s.lockKey = KEYS[keyIndex];
      sim.s.guesses = { failures: 0, nextAllowedAt: 0 };
    },
  ];
  return outcomes(state, withCooldown(state, slot, withHash(state, busy, locks)));
}

export function unlock(state: State, slot: number): Outcome[] {
  if (!state.lockKey) return outcomes(state, [["not locked", (sim) => sim.reply(slot, "error not-locked")]]);
  const unlocks: [string, Branch] = [
    "unlock",
    (sim) => {
      markLockChange(sim, slot);
      sim.broadcast(`unlocked by=${sim.s.identities[memberIdentity(sim.s, slot)!]!.name}`);
      sim.s.lockKey = null;
      sim.s.guesses = { failures: 0, nextAllowedAt: 0 };
    },
  ];
  return outcomes(state, withCooldown(state, slot, [unlocks]));
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

/**
 * A knock, through its limits: one renewal per socket per knockRenewMs, none while held
 * after a decline, at most maxPendingKnocks pending, and the room's knock bucket. Every
 * limit answers alike (too-many-knocks), and a full room takes knocks like any other, so
 * an outsider learns nothing about who is inside.
 */
export function knock(state: State, slot: number): Outcome[] {
  return atDoor(state, slot, (withSocket) => knockAtDoor(withSocket, slot));
}

function knockAtDoor(withSocket: State, slot: number): Outcome[] {
  const s = withSocket.slots[slot]!;
  const refuse: [string, Branch] = ["knock limit", (sim) => sim.reply(slot, "denied too-many-knocks")];
  if (s.socket !== "outside") throw new Error("a member cannot knock");
  if (!withSocket.lockKey) return outcomes(withSocket, [["not locked", (sim) => sim.reply(slot, "error not-locked")]]);
  const own = s.knock;
  const held = Math.max(s.heldUntil, withSocket.sharedAddress ? withSocket.addressHeldUntil : 0);
  if (withSocket.clock < held) return outcomes(withSocket, [refuse]);
  if (own !== null && withSocket.clock - withSocket.knocks[own]!.at < RULES.knockRenewMs) {
    return outcomes(withSocket, [refuse]);
  }
  const pending = withSocket.knocks.filter((k) => k.pending).length;
  // With one address for everyone, every pending knock is that client's.
  const perClient = withSocket.sharedAddress ? RULES.knocksPerClient : Number.POSITIVE_INFINITY;
  if (own === null && (pending >= RULES.maxPendingKnocks || pending >= perClient))
    return outcomes(withSocket, [refuse]);
  const knocks: [string, Branch] = [
    "knock",
    (sim) => {
      sim.s.knockTokens = Math.max(0, sim.s.knockTokens - 1);
      let index = own;
      if (index === null) {
        index = sim.s.knocks.length;
        sim.s.knocks.push({ id: null, slot, name: sim.name(slot), at: 0, pending: true });
        sim.s.slots[slot] = { ...s, knock: index };
      }
      // Knocking again renews the same knock (same id, fresh two minutes).
      sim.s.knocks[index]!.at = sim.s.clock;
      if (sim.s.knocks[index]!.id === null) sim.newKnock = index;
      // Members are warned when the knocker's name is that of someone inside or of another knocker.
      const names = [
        ...sim.live().map((i) => sim.s.identities[i]!.name),
        ...sim.s.knocks.filter((k, i) => k.pending && i !== index).map((k) => k.name),
      ];
      const warning = names.some((n) => n.toLowerCase() === sim.name(slot).toLowerCase()) ? " name-in-use" : "";
      sim.reply(slot, "knock-sent");
      sim.broadcast(`knocking ${sim.knockLabel(index)} ${sim.name(slot)}${warning}`);
    },
  ];
  return outcomes(withSocket, withSocket.knockTokens >= 1 ? [knocks] : [refuse, knocks]);
}

/** A member admits or denies knock `n` (pending or long over; if no member saw it, under a made-up id). */
export function answer(state: State, slot: number, n: number, admit: boolean): Outcome[] {
  const id = knockIdFor(state, n);
  const index = state.knocks.findIndex((k) => k.pending && k.id === id);
  if (index < 0) return outcomes(state, [["no such knock", (sim) => sim.reply(slot, "error unknown-knock")]]);
  const knocker = state.knocks[index]!.slot;
  return outcomes(state, [
    [
      admit ? "admit" : "deny",
      (sim) => {
        if (!admit) {
          const s = sim.s.slots[knocker]!;
          if (s.socket === "outside") s.heldUntil = sim.s.clock + RULES.knockHoldMs;
          if (sim.s.sharedAddress) sim.s.addressHeldUntil = sim.s.clock + RULES.knockHoldMs;
          return sim.answerKnocker(index, "denied knock-declined", "declined");
        }
        if (sim.live().length >= RULES.maxPeers) return sim.answerKnocker(index, "denied full", "full");
        const record = sim.s.knocks[index]!;
        const identity = sim.s.identities.length;
        sim.s.identities.push({ id, token: "", name: record.name, status: "connected", slot: knocker, awayUntil: 0 });
        // Named by its knock's label: the harness has not learned it as an identity yet.
        sim.created(identity, knocker, `K${index}`);
        sim.broadcast(`peer-joined ${sim.label(identity)} ${record.name}`);
        sim.endKnock(index, "admitted");
        sim.reply(knocker, sim.welcome(identity));
        sim.s.slots[knocker] = { socket: "member", identity, lockChangedAt: null };
        sim.s.lastIdentity[knocker] = identity;
      },
    ],
  ]);
}

/**
 * The room's clock moves on by `ms` and its alarm runs: knocks lapse, away identities
 * expire, identities whose socket a restart closed start their grace, and idle sockets
 * at the door are closed.
 */
export function alarm(state: State, ms: number): Outcome[] {
  return outcomes(state, [
    [
      "alarm",
      (sim) => {
        const s = sim.s;
        s.clock += ms;
        s.hashTokens = Math.min(RULES.hashBudget.burst, s.hashTokens + (ms / 1000) * RULES.hashBudget.perSecond);
        s.knockTokens = Math.min(RULES.knockBudget.burst, s.knockTokens + (ms / 1000) * RULES.knockBudget.perSecond);
        s.knocks.forEach((record, index) => {
          if (!record.pending || s.clock - record.at < RULES.knockLapseMs) return;
          sim.answerKnocker(index, "denied knock-lapsed", "lapsed");
        });
        s.identities.forEach((identity, index) => {
          if (identity.status !== "away") return;
          if (identity.awayUntil === null) identity.awayUntil = s.clock + RULES.resumeGraceMs;
          else if (identity.awayUntil <= s.clock) {
            identity.status = "expired";
            sim.broadcast(`peer-left #${index}`);
          }
        });
        // Sockets idle at the door are closed, quietly: nobody inside ever knew of them.
        s.slots.forEach((slot, index) => {
          if (slot.socket !== "outside" || slot.knock !== null) return;
          if (s.clock - slot.doorSince >= RULES.doorIdleMs) sim.close(index, 4009);
        });
      },
    ],
  ]);
}

/**
 * The room is evicted from memory. With its sockets hibernated nothing changes but what
 * lives only in memory (the hash bucket starts full). A restart that closes every socket
 * is a network drop for everyone at once; the room is told nothing, and finds out later.
 */
export function evict(state: State, closeSockets: boolean): Outcome[] {
  return outcomes(state, [
    [
      closeSockets ? "restarted" : "evicted",
      (sim) => {
        sim.s.hashTokens = RULES.hashBudget.burst;
        if (!closeSockets) return;
        sim.s.slots.forEach((slot, index) => {
          if (slot.socket === "none") return;
          if (slot.socket === "member") {
            Object.assign(sim.s.identities[slot.identity]!, { status: "away", slot: null, awayUntil: null });
          }
          if (slot.socket === "outside" && slot.knock !== null) sim.s.knocks[slot.knock]!.pending = false;
          sim.close(index, 0);
        });
      },
    ],
  ]);
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
    | { kind: "admit"; slot: number; knock: number }
    | { kind: "other" },
  slot: number,
): Entry | null {
  if (action.kind === "admit") {
    const id = knockIdFor(state, action.knock);
    const pending = state.knocks.some((k) => k.pending && k.id === id && k.slot === slot);
    return pending ? "admitted" : null;
  }
  if (action.kind === "other" || action.slot !== slot) return null;
  if (action.kind === "resume" && resumeHonoured(state, action.who, action.tokenOf)) return "resumed a live identity";
  return keyText(action.key) === state.lockKey ? "right key" : null;
}
