/**
 * Model-based test of the room's access rules (issue #11): random sequences of joins,
 * leaves, drops, resumes, locks, removals, knocks, alarms and evictions by 4–6 clients,
 * through real WebSockets against the real Room in workerd. After every step, what each
 * client heard is checked against a small model of who is allowed in
 * (support/access-model.ts), and the invariants are checked on their own
 * (support/model-harness.ts): no entry into a locked room without the key, an admission
 * or a live identity; ended identities stay ended; no ghosts in anyone's view; outsiders
 * hear only their own outcomes.
 *
 * A failure prints the seed, the path and the shrunk sequence of steps; to replay it,
 * set MODEL_REPLAY to `{ seed, path }` from the report.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FREE_TRIES } from "../../durable-objects/room-rules/guess-throttle";
import {
  DEFAULT_MAX_PEERS,
  DOOR_IDLE_MS,
  HASH_BUDGET,
  KNOCK_BUDGET,
  KNOCK_HOLD_MS,
  KNOCK_LAPSE_MS,
  KNOCK_RENEW_MS,
  LOCK_COOLDOWN_MS,
  MAX_DOOR_SOCKETS_PER_CLIENT,
  MAX_KNOCKS_PER_CLIENT,
  MAX_PENDING_KNOCKS,
  RESUME_GRACE_MS,
} from "../../durable-objects/room-rules/limits";
import * as model from "./support/access-model";
import { type KeyChoice, MAX_CLIENTS, NAMES, RULES, type State } from "./support/access-model";
import { RealRoom, type StepSpec, step } from "./support/model-harness";
import { randomClientAddress } from "./support/room-client";

const RUNS = 1000;
const MAX_COMMANDS = 30;
/** Set to `{ seed, path }` from a failure report to replay exactly that case. */
const MODEL_REPLAY: { seed: number; path: string } | undefined = undefined;
/** Time steps: past nothing, past the resume grace, past a knock's lapse. */
const ADVANCES = [10_000, 30_000, 130_000];
/**
 * An empty room forgets everything after ten minutes (covered in room-access.test.ts);
 * keeping each run's clock below that keeps the model free of the purge.
 */
const MAX_CLOCK_MS = 560_000;

type Model = { s: State };

/** Situations every full pass must have met at least once (prefixes of the coverage lines). */
const MUST_MEET = [
  // Hole 1: old tokens of identities that ended, at a locked room's door.
  "resume as a left identity into a locked room → locked, no key",
  "resume as a expired identity into a locked room → locked, no key",
  "resume as a removed identity into a locked room → locked, no key",
  // Live identities still come back, after a drop, a takeover and a restart.
  "resume as a away identity into a locked room → resumed",
  "resume as a connected identity into a locked room → resumed",
  "resume as a lost-in-a-restart identity into a locked room → resumed",
  // Hole 2: removing someone whose socket is away.
  "remove a away identity → removed",
  "remove a connected identity → removed",
  "join a locked room → right key",
  "join a locked room → wrong key",
  "knock → knock",
  "answer → admit",
  "answer → deny",
  "alarm (knocks lapse",
  "alarm (graces end",
  "evict → restarted",
  // One address for all: a fourth socket at the door closes the oldest instead of being refused.
  "(door full: closed",
];

/** How often each situation came up over all runs: proof that the runs reach the cases that matter. */
const seen = new Map<string, number>();

abstract class Step implements fc.AsyncCommand<Model, RealRoom> {
  abstract check(m: Readonly<Model>): boolean;
  abstract spec(state: State): StepSpec;
  abstract toString(): string;
  /** The situation this step meets, in words, for the coverage count. */
  situation(_state: State): string {
    return this.constructor.name.toLowerCase();
  }
  async run(m: Model, real: RealRoom): Promise<void> {
    const before = m.s;
    const outcome = await step(m, real, this.spec(before));
    const situation = `${this.situation(before)} → ${outcome.path}`;
    seen.set(situation, (seen.get(situation) ?? 0) + 1);
  }
}

const roomOf = (state: State) => (state.lockKey ? "a locked room" : "an open room");

/** An identity's standing in words: connected, away, lost in a restart, or how it ended. */
function standing(state: State, index: number): string {
  const identity = state.identities[index]!;
  if (identity.status === "away" && identity.awayUntil === null) return "lost-in-a-restart";
  return identity.status;
}

const name = (slot: number) => NAMES[slot]!;
const socketOf = (state: State, slot: number) => state.slots[slot]!.socket;
const exists = (state: State, slot: number) => slot < state.clients;
const isMember = (state: State, slot: number) => exists(state, slot) && socketOf(state, slot) === "member";
const noEntry = () => null;

function joinMessage(slot: number, key: KeyChoice, resume?: { id: string; token: string }) {
  const keyText = model.keyText(key);
  return { type: "join", name: name(slot), ...(keyText ? { key: keyText } : {}), ...(resume ? { resume } : {}) };
}

class Join extends Step {
  constructor(
    readonly slot: number,
    readonly key: KeyChoice,
  ) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return exists(m.s, this.slot) && !isMember(m.s, this.slot);
  }
  spec(state: State): StepSpec {
    const action = { kind: "join", slot: this.slot, key: this.key } as const;
    return {
      act: async (real) => (await real.connect(this.slot)).client.send(joinMessage(this.slot, this.key)),
      outcomes: model.join(state, this.slot, this.key),
      entry: (slot) => model.entryFor(state, action, slot),
    };
  }
  toString(): string {
    return `join(${name(this.slot)}, key=${this.key})`;
  }
  override situation(state: State): string {
    return `join ${roomOf(state)}`;
  }
}

/** A client opens a socket and sends nothing (still in the hair check): it waits at the door. */
class Open extends Step {
  constructor(readonly slot: number) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return exists(m.s, this.slot) && socketOf(m.s, this.slot) === "none";
  }
  spec(state: State): StepSpec {
    return {
      act: async (real) => {
        await real.connect(this.slot);
      },
      outcomes: model.open(state, this.slot),
      entry: noEntry,
    };
  }
  toString(): string {
    return `open(${name(this.slot)})`;
  }
}

/**
 * A join that claims an identity: `own` is the client's last identity with its own token
 * (a reload or reconnect); otherwise identity #who with #tokenOf's token (a token that
 * travelled to another client, or a forged pairing when the two differ).
 */
class Resume extends Step {
  constructor(
    readonly slot: number,
    readonly claim: "own" | { who: number; tokenOf: number },
    readonly key: KeyChoice,
  ) {
    super();
  }
  private target(state: State): { who: number; tokenOf: number } | null {
    if (this.claim !== "own") return this.claim;
    const last = state.lastIdentity[this.slot];
    return last === null || last === undefined ? null : { who: last, tokenOf: last };
  }
  check(m: Readonly<Model>): boolean {
    const target = this.target(m.s);
    return (
      exists(m.s, this.slot) &&
      !isMember(m.s, this.slot) &&
      target !== null &&
      Math.max(target.who, target.tokenOf) < m.s.identities.length
    );
  }
  spec(state: State): StepSpec {
    const { who, tokenOf } = this.target(state)!;
    const resume = { id: state.identities[who]!.id!, token: state.identities[tokenOf]!.token };
    const action = { kind: "resume", slot: this.slot, who, tokenOf, key: this.key } as const;
    return {
      act: async (real) => (await real.connect(this.slot)).client.send(joinMessage(this.slot, this.key, resume)),
      outcomes: model.resume(state, this.slot, who, tokenOf, this.key),
      entry: (slot) => model.entryFor(state, action, slot),
    };
  }
  override situation(state: State): string {
    const { who, tokenOf } = this.target(state)!;
    const forged = tokenOf === who ? "" : " with a forged token";
    return `resume as a ${standing(state, who)} identity${forged} into ${roomOf(state)}`;
  }
  toString(): string {
    if (this.claim === "own") return `resume(${name(this.slot)} with its last token, key=${this.key})`;
    const { who, tokenOf } = this.claim;
    return `resume(${name(this.slot)} as #${who}${tokenOf === who ? "" : ` with #${tokenOf}'s token`}, key=${this.key})`;
  }
}

class Close extends Step {
  constructor(
    readonly slot: number,
    readonly code: number,
  ) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return exists(m.s, this.slot) && socketOf(m.s, this.slot) !== "none";
  }
  spec(state: State): StepSpec {
    return {
      act: async (real) => real.conn(this.slot).client.ws.close(this.code, "model step"),
      outcomes: model.close(state, this.slot, this.code === 1000),
      entry: noEntry,
    };
  }
  override situation(state: State): string {
    const s = state.slots[this.slot]!;
    const who = s.socket === "member" ? "member" : s.socket === "outside" && s.knock !== null ? "knocker" : "outsider";
    return `${this.code === 1000 ? "leave" : "drop"} of a ${who}`;
  }
  toString(): string {
    return this.code === 1000 ? `leave(${name(this.slot)})` : `drop(${name(this.slot)}, ${this.code})`;
  }
}

class Lock extends Step {
  constructor(
    readonly slot: number,
    readonly keyIndex: 0 | 1,
  ) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return isMember(m.s, this.slot);
  }
  spec(state: State): StepSpec {
    return {
      act: async (real) => real.conn(this.slot).client.send({ type: "lock", key: model.KEYS[this.keyIndex] }),
      outcomes: model.lock(state, this.slot, this.keyIndex),
      entry: noEntry,
    };
  }
  toString(): string {
    return `lock(${name(this.slot)}, key${this.keyIndex})`;
  }
}

class Unlock extends Step {
  constructor(readonly slot: number) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return isMember(m.s, this.slot);
  }
  spec(state: State): StepSpec {
    return {
      act: async (real) => real.conn(this.slot).client.send({ type: "unlock" }),
      outcomes: model.unlock(state, this.slot),
      entry: noEntry,
    };
  }
  toString(): string {
    return `unlock(${name(this.slot)})`;
  }
}

/** A member removes someone: the identity client `of` last held (connected or not), or identity #who. */
class Kick extends Step {
  constructor(
    readonly slot: number,
    readonly target: { of: number } | { who: number },
  ) {
    super();
  }
  private who(state: State): number | null {
    return "who" in this.target ? this.target.who : (state.lastIdentity[this.target.of] ?? null);
  }
  check(m: Readonly<Model>): boolean {
    const who = this.who(m.s);
    return isMember(m.s, this.slot) && who !== null && who < m.s.identities.length;
  }
  spec(state: State): StepSpec {
    const who = this.who(state)!;
    const id = state.identities[who]!.id!;
    return {
      act: async (real) => real.conn(this.slot).client.send({ type: "kick", id }),
      outcomes: model.kick(state, this.slot, who),
      entry: noEntry,
    };
  }
  override situation(state: State): string {
    return `remove a ${standing(state, this.who(state)!)} identity`;
  }
  toString(): string {
    const whom = "who" in this.target ? `#${this.target.who}` : `${name(this.target.of)}'s last identity`;
    return `remove(${name(this.slot)} removes ${whom})`;
  }
}

class Knock extends Step {
  constructor(readonly slot: number) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return exists(m.s, this.slot) && !isMember(m.s, this.slot);
  }
  spec(state: State): StepSpec {
    return {
      act: async (real) => (await real.connect(this.slot)).client.send({ type: "knock", name: name(this.slot) }),
      outcomes: model.knock(state, this.slot),
      entry: noEntry,
    };
  }
  toString(): string {
    return `knock(${name(this.slot)})`;
  }
}

/** A member answers knock Kn, or the latest knock made (pending or long over). */
class Answer extends Step {
  constructor(
    readonly slot: number,
    readonly knock: number | "latest",
    readonly admit: boolean,
  ) {
    super();
  }
  private index(state: State): number {
    return this.knock === "latest" ? state.knocks.length - 1 : this.knock;
  }
  check(m: Readonly<Model>): boolean {
    const index = this.index(m.s);
    return isMember(m.s, this.slot) && index >= 0 && index < m.s.knocks.length;
  }
  spec(state: State): StepSpec {
    const knock = this.index(state);
    const id = model.knockIdFor(state, knock);
    const action = { kind: "admit", slot: this.slot, knock } as const;
    return {
      act: async (real) => real.conn(this.slot).client.send({ type: this.admit ? "admit" : "deny", id }),
      outcomes: model.answer(state, this.slot, knock, this.admit),
      entry: (slot) => (this.admit ? model.entryFor(state, action, slot) : null),
    };
  }
  toString(): string {
    const which = this.knock === "latest" ? "the latest knock" : `K${this.knock}`;
    return `${this.admit ? "admit" : "deny"}(${name(this.slot)} answers ${which})`;
  }
}

class Alarm extends Step {
  constructor(readonly ms: number) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.s.clock + this.ms <= MAX_CLOCK_MS;
  }
  spec(state: State): StepSpec {
    const members = state.slots.flatMap((s, slot) => (s.socket === "member" ? [slot] : []));
    return {
      act: (real) => real.advance(this.ms, members),
      outcomes: model.alarm(state, this.ms),
      entry: noEntry,
    };
  }
  override situation(state: State): string {
    const after = model.alarm(state, this.ms)[0]!.next;
    const lapsed = after.knocks.filter((k, i) => state.knocks[i]!.pending && !k.pending).length;
    const expired = after.identities.filter((x, i) => x.status === "expired" && state.identities[i]!.status === "away");
    const noticed = state.identities.filter((x) => x.status === "away" && x.awayUntil === null).length;
    const doors = after.slots.filter((x, i) => x.socket === "none" && state.slots[i]!.socket === "outside").length;
    const what = [
      lapsed && "knocks lapse",
      expired.length && "graces end",
      noticed && "restart losses noticed",
      doors && "idle door sockets closed",
    ].filter(Boolean);
    return `alarm${what.length ? ` (${what.join(", ")})` : ""}`;
  }
  toString(): string {
    return `alarm(+${this.ms / 1000}s)`;
  }
}

class Evict extends Step {
  constructor(readonly closeSockets: boolean) {
    super();
  }
  check(): boolean {
    return true;
  }
  spec(state: State): StepSpec {
    return {
      act: (real) => real.evict(this.closeSockets),
      outcomes: model.evict(state, this.closeSockets),
      entry: noEntry,
    };
  }
  toString(): string {
    return this.closeSockets ? "restart() /* eviction that closes every socket */" : "evict()";
  }
}

const identity = fc.nat({ max: 4 });
const key = fc.constantFrom<KeyChoice>("none", "key0", "key1", "wrong");
/** A resume mostly comes without a key: the token alone is the claim being tested. */
const resumeKey = fc.oneof(
  { weight: 3, arbitrary: fc.constant<KeyChoice>("none") },
  { weight: 1, arbitrary: fc.constantFrom<KeyChoice>("key0", "key1", "wrong") },
);

/** Steps for a run with `clients` clients (slots 0 to clients − 1). */
function stepsFor(clients: number): fc.Arbitrary<Step> {
  const slot = fc.nat({ max: clients - 1 });
  return fc.oneof(
    { weight: 2, arbitrary: fc.tuple(slot, key).map(([s, k]) => new Join(s, k)) },
    { weight: 2, arbitrary: slot.map((s) => new Open(s)) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          slot,
          fc.oneof(
            fc.constant("own" as const),
            fc
              .tuple(identity, fc.option(identity, { freq: 4 }))
              .map(([who, forged]) => ({ who, tokenOf: forged ?? who })),
          ),
          resumeKey,
        )
        .map(([s, claim, k]) => new Resume(s, claim, k)),
    },
    { weight: 2, arbitrary: slot.map((s) => new Close(s, 1000)) },
    { weight: 3, arbitrary: fc.tuple(slot, fc.constantFrom(4000, 3000, 1011)).map(([s, c]) => new Close(s, c)) },
    { weight: 2, arbitrary: fc.tuple(slot, fc.constantFrom<0 | 1>(0, 1)).map(([s, k]) => new Lock(s, k)) },
    { weight: 1, arbitrary: slot.map((s) => new Unlock(s)) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          slot,
          fc.oneof(
            slot.map((of) => ({ of })),
            identity.map((who) => ({ who })),
          ),
        )
        .map(([s, target]) => new Kick(s, target)),
    },
    { weight: 2, arbitrary: slot.map((s) => new Knock(s)) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(slot, fc.oneof(fc.constant("latest" as const), fc.nat({ max: 3 })), fc.boolean())
        .map(([s, n, a]) => new Answer(s, n, a)),
    },
    { weight: 2, arbitrary: fc.constantFrom(...ADVANCES).map((ms) => new Alarm(ms)) },
    { weight: 1, arbitrary: fc.boolean().map((closeSockets) => new Evict(closeSockets)) },
  );
}

/**
 * How a run begins: the first `joined` clients join the open room, and maybe the first
 * locks it. Part of the generated value (so it shrinks and is printed), and it spares the
 * random steps the dull work of filling a room before anything interesting can happen.
 */
class Prelude {
  constructor(
    readonly joined: number,
    readonly locked: boolean,
    /** Every client from one address (a household, an office), so per-client limits apply to all together. */
    readonly sharedAddress: boolean,
    /** How many of the other clients then open a socket and wait at the door (a hair check). */
    readonly opened: number,
    readonly clients: number,
  ) {}
  steps(): Step[] {
    const joins: Step[] = Array.from({ length: this.joined }, (_, slot) => new Join(slot, "none"));
    const lock = this.locked && this.joined > 0 ? [new Lock(0, 0)] : [];
    const waiting = Math.min(this.opened, this.clients - this.joined);
    const opens = Array.from({ length: waiting }, (_, n) => new Open(this.joined + n));
    return [...joins, ...lock, ...opens];
  }
  toString(): string {
    const steps = this.steps();
    const address = this.sharedAddress ? "one address for all, " : "";
    return `prelude: ${address}${steps.length ? steps.join(", ") : "nobody joins"}`;
  }
}

/** A run: how many clients, how it begins, and what they do then. */
const runs = fc.integer({ min: 4, max: MAX_CLIENTS }).chain((clients) =>
  fc.tuple(
    fc.constant(clients),
    // Two runs in three start locked (most rules are about a locked room); one in three shares an address.
    fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.nat({ max: 4 }))
      .map(([joined, locked, shared, opened]) => new Prelude(joined, locked > 0, shared === 2, opened, clients)),
    fc.commands([stepsFor(clients)], { maxCommands: MAX_COMMANDS, size: "max" }),
  ),
);

describe("the room's access rules, against a model", () => {
  it("uses the room's own limits", () => {
    expect(RULES).toEqual({
      maxPeers: DEFAULT_MAX_PEERS,
      maxPendingKnocks: MAX_PENDING_KNOCKS,
      resumeGraceMs: RESUME_GRACE_MS,
      knockLapseMs: KNOCK_LAPSE_MS,
      freeTries: FREE_TRIES,
      lockCooldownMs: LOCK_COOLDOWN_MS,
      knockRenewMs: KNOCK_RENEW_MS,
      knockHoldMs: KNOCK_HOLD_MS,
      doorIdleMs: DOOR_IDLE_MS,
      doorSocketsPerClient: MAX_DOOR_SOCKETS_PER_CLIENT,
      knocksPerClient: MAX_KNOCKS_PER_CLIENT,
      hashBudget: { burst: HASH_BUDGET.burst, perSecond: HASH_BUDGET.perSecond },
      knockBudget: { burst: KNOCK_BUDGET.burst, perSecond: KNOCK_BUDGET.perSecond },
    });
  });

  it(`holds over ${RUNS} random sequences of joins, leaves, drops, resumes, locks, removals, knocks and alarms`, async () => {
    const property = fc.asyncProperty(runs, async ([clients, prelude, steps]) => {
      // A fresh address per run: the Worker's per-address connection limit counts across runs.
      const real = new RealRoom(clients, prelude.sharedAddress ? randomClientAddress() : undefined);
      const state = { s: model.initialState(clients, prelude.sharedAddress) };
      try {
        for (const first of prelude.steps()) await first.run(state, real);
        await fc.asyncModelRun(() => ({ model: state, real }), steps);
      } finally {
        // Also after a failure: shrinking reruns many sequences, and each leaves sockets behind otherwise.
        real.closeAll();
      }
    });
    await fc.assert(property, { numRuns: RUNS, ...(MODEL_REPLAY ?? {}) });
    if (MODEL_REPLAY) return;

    const table = [...seen]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([what, n]) => `${String(n).padStart(6)}  ${what}`);
    console.log(`Situations met over ${RUNS} runs:\n${table.join("\n")}`);
    // The runs must reach the cases the rules are about, or passing proves little.
    for (const situation of MUST_MEET) {
      expect(
        [...seen.keys()].some((s) => s.startsWith(situation) || s.includes(situation)),
        situation,
      ).toBe(true);
    }
  }, 900_000);
});
