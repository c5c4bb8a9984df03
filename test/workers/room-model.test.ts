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
import { FREE_TRIES } from "../../durable-objects/guess-throttle";
import { RESUME_GRACE_MS } from "../../durable-objects/room";
import { DEFAULT_MAX_PEERS, KNOCK_LAPSE_MS, MAX_PENDING_KNOCKS } from "../../durable-objects/room-core";
import * as model from "./support/access-model";
import { type KeyChoice, MAX_CLIENTS, NAMES, RULES, type State } from "./support/access-model";
import { RealRoom, type StepSpec, step } from "./support/model-harness";

const RUNS = 1000;
const MAX_COMMANDS = 18;
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

abstract class Step implements fc.AsyncCommand<Model, RealRoom> {
  abstract check(m: Readonly<Model>): boolean;
  abstract spec(state: State): StepSpec;
  abstract toString(): string;
  async run(m: Model, real: RealRoom): Promise<void> {
    await step(m, real, this.spec(m.s));
  }
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
}

class Resume extends Step {
  constructor(
    readonly slot: number,
    readonly who: number,
    readonly tokenOf: number,
    readonly key: KeyChoice,
  ) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return (
      exists(m.s, this.slot) &&
      !isMember(m.s, this.slot) &&
      this.who < m.s.identities.length &&
      this.tokenOf < m.s.identities.length
    );
  }
  spec(state: State): StepSpec {
    const resume = { id: state.identities[this.who]!.id!, token: state.identities[this.tokenOf]!.token };
    const action = { kind: "resume", slot: this.slot, who: this.who, tokenOf: this.tokenOf, key: this.key } as const;
    return {
      act: async (real) => (await real.connect(this.slot)).client.send(joinMessage(this.slot, this.key, resume)),
      outcomes: model.resume(state, this.slot, this.who, this.tokenOf, this.key),
      entry: (slot) => model.entryFor(state, action, slot),
    };
  }
  toString(): string {
    return `resume(${name(this.slot)} as #${this.who}${this.tokenOf === this.who ? "" : ` with #${this.tokenOf}'s token`}, key=${this.key})`;
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

class Kick extends Step {
  constructor(
    readonly slot: number,
    readonly who: number,
  ) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return isMember(m.s, this.slot) && this.who < m.s.identities.length;
  }
  spec(state: State): StepSpec {
    const id = state.identities[this.who]!.id!;
    return {
      act: async (real) => real.conn(this.slot).client.send({ type: "kick", id }),
      outcomes: model.kick(state, this.slot, this.who),
      entry: noEntry,
    };
  }
  toString(): string {
    return `remove(${name(this.slot)} removes #${this.who})`;
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

class Answer extends Step {
  constructor(
    readonly slot: number,
    readonly target: number,
    readonly admit: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return isMember(m.s, this.slot) && exists(m.s, this.target);
  }
  spec(state: State): StepSpec {
    const id = model.knockIdFor(state, this.target);
    const action = { kind: "admit", slot: this.slot, target: this.target } as const;
    return {
      act: async (real) => real.conn(this.slot).client.send({ type: this.admit ? "admit" : "deny", id }),
      outcomes: model.answer(state, this.slot, this.target, this.admit),
      entry: (slot) => (this.admit ? model.entryFor(state, action, slot) : null),
    };
  }
  toString(): string {
    return `${this.admit ? "admit" : "deny"}(${name(this.slot)} answers ${name(this.target)}'s knock)`;
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
  toString(): string {
    return `alarm(+${this.ms / 1000}s)`;
  }
}

class Evict extends Step {
  check(): boolean {
    return true;
  }
  spec(state: State): StepSpec {
    return { act: (real) => real.evict(), outcomes: model.evict(state), entry: noEntry };
  }
  toString(): string {
    return "evict()";
  }
}

const identity = fc.nat({ max: 4 });
const key = fc.constantFrom<KeyChoice>("none", "key0", "key1", "wrong");

/** Steps for a run with `clients` clients (slots 0 to clients − 1). */
function stepsFor(clients: number): fc.Arbitrary<Step> {
  const slot = fc.nat({ max: clients - 1 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(slot, key).map(([s, k]) => new Join(s, k)) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(slot, identity, fc.option(identity, { freq: 5 }), key)
        .map(([s, who, forged, k]) => new Resume(s, who, forged ?? who, k)),
    },
    { weight: 2, arbitrary: slot.map((s) => new Close(s, 1000)) },
    { weight: 3, arbitrary: fc.tuple(slot, fc.constantFrom(4000, 3000, 1011)).map(([s, c]) => new Close(s, c)) },
    { weight: 3, arbitrary: fc.tuple(slot, fc.constantFrom<0 | 1>(0, 1)).map(([s, k]) => new Lock(s, k)) },
    { weight: 1, arbitrary: slot.map((s) => new Unlock(s)) },
    { weight: 2, arbitrary: fc.tuple(slot, identity).map(([s, who]) => new Kick(s, who)) },
    { weight: 2, arbitrary: slot.map((s) => new Knock(s)) },
    { weight: 2, arbitrary: fc.tuple(slot, slot, fc.boolean()).map(([s, t, a]) => new Answer(s, t, a)) },
    { weight: 2, arbitrary: fc.constantFrom(...ADVANCES).map((ms) => new Alarm(ms)) },
    { weight: 1, arbitrary: fc.constant(new Evict()) },
  );
}

/** A run: how many clients, and what they do. */
const runs = fc
  .integer({ min: 4, max: MAX_CLIENTS })
  .chain((clients) =>
    fc.tuple(fc.constant(clients), fc.commands([stepsFor(clients)], { maxCommands: MAX_COMMANDS, size: "max" })),
  );

describe("the room's access rules, against a model", () => {
  it("uses the room's own limits", () => {
    expect(RULES).toEqual({
      maxPeers: DEFAULT_MAX_PEERS,
      maxPendingKnocks: MAX_PENDING_KNOCKS,
      resumeGraceMs: RESUME_GRACE_MS,
      knockLapseMs: KNOCK_LAPSE_MS,
      freeTries: FREE_TRIES,
    });
  });

  it(`holds over ${RUNS} random sequences of joins, leaves, drops, resumes, locks, removals, knocks and alarms`, async () => {
    const property = fc.asyncProperty(runs, async ([clients, steps]) => {
      const real = new RealRoom(clients);
      try {
        await fc.asyncModelRun(() => ({ model: { s: model.initialState(clients) }, real }), steps);
      } finally {
        // Also after a failure: shrinking reruns many sequences, and each leaves sockets behind otherwise.
        real.closeAll();
      }
    });
    await fc.assert(property, { numRuns: RUNS, ...(MODEL_REPLAY ?? {}) });
  }, 900_000);
});
