/**
 * The real side of the model-based test: a room in workerd, one real WebSocket per
 * client, and one `step` that performs an action, waits until the room has finished
 * with it, and checks what every client heard against the model (access-model.ts).
 *
 * Quiescence without timing: a room handles one event at a time and each socket's
 * messages arrive in order, so once every open socket has had an answer to a message
 * sent after the action (a "barrier": text that is not JSON, answered with bad-json),
 * everything the action caused has been delivered. Only missing messages are waited
 * for a little longer, so a real ghost fails after a few short retries.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { ServerMessage } from "../../../common/protocol";
import type { Room } from "../../../durable-objects/room";
import { type Entry, isLive, liveIdentities, NAMES, type Outcome, type State } from "./access-model";
import { RoomClient, randomRoom, roomIdOf } from "./room-client";

const BARRIER = "barrier: not json";
const isBarrierReply = (m: ServerMessage) => m.type === "error" && m.code === "bad-json";
/** What an outsider (a socket not in the call) may ever hear: its own outcomes, nothing about the room. */
const OUTSIDER_MAY_HEAR = new Set(["welcome", "denied", "knock-sent", "error"]);
const SETTLE_ATTEMPTS = 4;

/** One client's socket, with what it has heard and who it believes is in the call. */
export class Conn {
  /** Messages before this index belong to earlier steps. */
  cursor = 0;
  /** The peer ids this client shows, built only from welcome, peer-joined and peer-left. */
  view: Set<string> | null = null;
  private barriers = 0;
  private wakers: (() => void)[] = [];

  private constructor(readonly client: RoomClient) {
    const wake = () => {
      const wakers = this.wakers;
      this.wakers = [];
      for (const w of wakers) w();
    };
    client.ws.addEventListener("message", wake);
    client.ws.addEventListener("close", wake);
  }

  static async open(room: string, address?: string): Promise<Conn> {
    return new Conn(await RoomClient.connect(room, { address }));
  }

  get closed() {
    return this.client.closed;
  }

  /** Waits for `condition`, waking on every message or close; false if `ms` passed first. */
  async until(condition: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wakers.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  async barrier(): Promise<void> {
    if (this.closed) return;
    this.barriers++;
    try {
      this.client.send(BARRIER);
    } catch {
      return; // closing: the close itself is what the step checks
    }
    const answered = () => this.client.received.filter(isBarrierReply).length >= this.barriers;
    await this.until(() => this.closed !== null || answered(), 5_000);
  }

  /** This step's messages so far, without the answers to barriers. */
  fresh(): ServerMessage[] {
    return this.client.received.slice(this.cursor).filter((m) => !isBarrierReply(m));
  }
}

export class RealRoom {
  readonly name = randomRoom();
  /** The room's object, addressed as the Worker addresses it: by the id the page derives from the name. */
  private stubOf: Promise<DurableObjectStub<Room>> | null = null;
  readonly conns: (Conn | null)[];
  /** How far the room's clock runs ahead of real time (the model's `clock`). */
  private offset = 0;

  /** `address`: one client address for every socket (per-client limits apply together); else one per socket. */
  constructor(
    clients: number,
    readonly address?: string,
  ) {
    this.conns = Array.from({ length: clients }, () => null);
  }

  private stub(): Promise<DurableObjectStub<Room>> {
    this.stubOf ??= roomIdOf(this.name).then((id) => env.ROOM.get(env.ROOM.idFromName(id)));
    return this.stubOf;
  }

  async connect(slot: number): Promise<Conn> {
    this.conns[slot] ??= await Conn.open(this.name, this.address);
    return this.conns[slot];
  }

  conn(slot: number): Conn {
    const conn = this.conns[slot];
    if (!conn) throw new Error(`${NAMES[slot]} has no socket, but the model says it has`);
    return conn;
  }

  /** Moves the room's clock; after an eviction the new instance gets the same offset (time never runs back). */
  async setClock(offset: number): Promise<void> {
    this.offset = offset;
    await runInDurableObject(await this.stub(), (instance: Room) => {
      instance.now = () => Date.now() + offset;
    });
  }

  /** Time passes: connected members keep their heartbeats up (as live tabs do), then the alarm runs. */
  async advance(ms: number, members: number[]): Promise<void> {
    await Promise.all(members.map((slot) => this.conn(slot).client.heartbeat()));
    await this.setClock(this.offset + ms);
    await runDurableObjectAlarm(await this.stub());
  }

  /** Evicts the room; with `closeSockets`, as a restart does, every socket is cut too. */
  async evict(closeSockets: boolean): Promise<void> {
    // Only a running object can be evicted; setting the clock wakes it.
    await this.setClock(this.offset);
    await evictDurableObject(await this.stub(), { webSockets: closeSockets ? "close" : "hibernate" });
    await this.setClock(this.offset);
  }

  closeAll(): void {
    for (const conn of this.conns) {
      try {
        if (conn && !conn.closed) conn.client.ws.close(1000, "run over");
      } catch {
        // already closing
      }
    }
  }
}

/** A message in the model's words: ids become labels (`#n` identity, `Kn` knock, `?` not known yet). */
export function normalize(message: ServerMessage, label: (id: string) => string, names: boolean): string {
  switch (message.type) {
    case "welcome": {
      const peers = message.peers.map((p) => `${label(p.id)}:${p.name}`).sort();
      return `welcome ${label(message.id)} peers=[${peers.join(",")}] ${message.lock ? "locked" : "open"}`;
    }
    case "denied":
      return message.reason === "wrong-key" ? `denied wrong-key left=${message.triesLeft}` : `denied ${message.reason}`;
    case "knock-sent":
      return "knock-sent";
    case "locked":
    case "unlocked":
    case "removed":
      return `${message.type} by=${message.by}`;
    case "knocking":
      return `knocking ${label(message.id)} ${message.name}${message.nameInUse ? " name-in-use" : ""}`;
    case "knock-ended":
      return `knock-ended ${label(message.id)} ${message.outcome}`;
    case "key-guessed":
      return `key-guessed ${message.failures}`;
    case "peer-joined":
      return names
        ? `peer-joined ${label(message.peer.id)} ${message.peer.name}`
        : `peer-joined ${label(message.peer.id)}`;
    case "peer-left":
      return `peer-left ${label(message.id)}`;
    case "error":
      return `error ${message.code}`;
    default:
      return `${message.type} ${JSON.stringify(message)}`;
  }
}

export function labeller(state: State): (id: string) => string {
  const labels = new Map<string, string>();
  state.knocks.forEach((k, n) => {
    if (k.id) labels.set(k.id, `K${n}`);
  });
  state.identities.forEach((identity, n) => {
    if (identity.id) labels.set(identity.id, `#${n}`);
  });
  return (id) => labels.get(id) ?? "?";
}

export class ModelViolation extends Error {}

export interface StepSpec {
  /** What the step does to the real room (sends, closes, clock, eviction). */
  act: (real: RealRoom) => Promise<void>;
  /** The model's outcomes; the observed one must be among them. */
  outcomes: Outcome[];
  /** Why a client may enter a locked room by this step, if it may at all (access-model `entryFor`). */
  entry: (slot: number) => Entry | null;
}

/** Runs one step and checks it: the invariants first (so a hole is named as such), then every message. */
export async function step(model: { s: State }, real: RealRoom, spec: StepSpec): Promise<Outcome> {
  const before = model.s;
  const openBefore = real.conns.map((c) => c !== null && c.closed === null);
  await spec.act(real);
  const label = labeller(before);
  const expectsClose = new Set(spec.outcomes.flatMap((o) => o.closes.flatMap((c, slot) => (c === null ? [] : [slot]))));

  let chosen: Outcome | undefined;
  let heard: string[][] = [];
  for (let attempt = 0; attempt < SETTLE_ATTEMPTS && !chosen; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
    await Promise.all(
      [...expectsClose].map((slot) => real.conns[slot]?.until(() => real.conns[slot]!.closed !== null, 500)),
    );
    await Promise.all(real.conns.map((conn) => conn?.barrier()));
    checkInvariants(before, real, spec, openBefore);
    heard = real.conns.map((conn) => (conn ? conn.fresh().map((m) => normalize(m, label, true)) : []));
    const closes = real.conns.map((conn) => conn?.closed?.code ?? null);
    chosen = spec.outcomes.find((o) => matches(o, heard, closes));
  }
  if (!chosen)
    throw new ModelViolation(`${ghostsAfter(spec.outcomes[0]!, real)}${describeMismatch(spec.outcomes, heard, real)}`);
  commit(model, real, chosen);
  return chosen;
}

function matches(outcome: Outcome, heard: string[][], closes: (number | null)[]): boolean {
  return outcome.expect.every((expected, slot) => {
    const want = outcome.closes[slot];
    const got = closes[slot] ?? null;
    if ((want === null) !== (got === null)) return false;
    if (want !== null && want !== 0 && want !== got) return false;
    return sameMultiset(expected, heard[slot] ?? []);
  });
}

const sameMultiset = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

function describeMismatch(outcomes: Outcome[], heard: string[][], real: RealRoom): string {
  const lines = ["What the clients heard does not match the model:"];
  for (const outcome of outcomes) {
    lines.push(`  model path "${outcome.path}":`);
    outcome.expect.forEach((expected, slot) => {
      const got = heard[slot] ?? [];
      const closed = real.conns[slot]?.closed;
      const close = outcome.closes[slot];
      const wantClose = close === null ? "stays open" : `closes${close ? ` ${close}` : ""}`;
      const gotClose = closed ? `closed ${closed.code}` : "open";
      const same = sameMultiset(expected, got);
      lines.push(
        `    ${same ? " " : "✗"} ${NAMES[slot]}: expected [${expected.join("; ")}] (${wantClose}), heard [${got.join("; ")}] (${gotClose})`,
      );
    });
  }
  return lines.join("\n");
}

/** When the messages do not match, says first whether some member is left with a ghost (or misses someone). */
function ghostsAfter(outcome: Outcome, real: RealRoom): string {
  const next = outcome.next;
  const live = liveIdentities(next).filter((i) => next.identities[i]!.id !== null);
  const label = labeller(next);
  const found: string[] = [];
  next.slots.forEach((slot, index) => {
    const conn = real.conns[index];
    if (slot.socket !== "member" || !conn?.view) return;
    const view = new Set(conn.view);
    for (const m of conn.fresh()) {
      if (m.type === "peer-joined") view.add(m.peer.id);
      else if (m.type === "peer-left") view.delete(m.id);
    }
    const want = live.filter((i) => i !== slot.identity).map((i) => next.identities[i]!.id!);
    const ghosts = [...view].filter((id) => !want.includes(id) && label(id) !== "?");
    if (ghosts.length) found.push(`${NAMES[index]} still shows [${ghosts.map(label).join(",")}], who is gone`);
  });
  return found.length ? `Ghosts: ${found.join("; ")}.\n` : "";
}

/**
 * The issue's invariants, judged from the actual messages and the state before the step:
 * - nobody is welcomed into a locked room without the right key, an admission, or
 *   resuming a live identity;
 * - an ended identity (left, expired, removed) never comes back under its old id;
 * - a socket outside the call hears only its own outcomes.
 */
function checkInvariants(before: State, real: RealRoom, spec: StepSpec, openBefore: boolean[]): void {
  const label = labeller(before);
  real.conns.forEach((conn, slot) => {
    if (!conn) return;
    const messages = conn.fresh();
    const wasMember = before.slots[slot]!.socket === "member" && openBefore[slot];
    const welcomeAt = messages.findIndex((m) => m.type === "welcome");
    const outsideMessages = wasMember ? [] : welcomeAt < 0 ? messages : messages.slice(0, welcomeAt);
    const entry = spec.entry(slot);
    for (const m of outsideMessages) {
      if (!OUTSIDER_MAY_HEAR.has(m.type)) {
        throw new ModelViolation(
          `${NAMES[slot]}, outside the call, heard about the room: ${normalize(m, label, true)} (${JSON.stringify(m)})`,
        );
      }
      // "Full" says something about who is inside: only for someone entitled to come in.
      if (before.lockKey && m.type === "denied" && m.reason === "full" && !entry) {
        throw new ModelViolation(`${NAMES[slot]}, outside a locked room without the key, was told it is full`);
      }
    }
    const welcome = messages[welcomeAt];
    if (welcome?.type !== "welcome") return;
    if (before.lockKey && !entry) {
      throw new ModelViolation(
        `${NAMES[slot]} was welcomed into a locked room without the key, an admission or a live identity: ${normalize(welcome, label, true)}`,
      );
    }
    const old = before.identities.findIndex((i) => i.id === welcome.id);
    if (old >= 0 && (!isLive(before.identities[old]!) || entry !== "resumed a live identity")) {
      throw new ModelViolation(
        `${NAMES[slot]} came back as #${old}, an identity that ended (${before.identities[old]!.status}) or that it did not resume`,
      );
    }
  });
}

/** Takes the observed outcome as the new model state, learns new ids, and checks every member's view. */
function commit(model: { s: State }, real: RealRoom, outcome: Outcome): void {
  const next = outcome.next;
  const label = labeller(model.s);
  real.conns.forEach((conn, slot) => {
    if (!conn) return;
    for (const m of conn.fresh()) {
      if (m.type === "welcome") {
        conn.view = new Set(m.peers.map((p) => p.id));
        const index =
          outcome.newIdentity?.slot === slot
            ? outcome.newIdentity.index
            : next.identities.findIndex((i) => i.id === m.id);
        const identity = next.identities[index];
        if (identity) {
          identity.id = m.id;
          identity.token = m.resumeToken;
        }
      } else if (m.type === "peer-joined") conn.view?.add(m.peer.id);
      else if (m.type === "peer-left") conn.view?.delete(m.id);
      else if (m.type === "knocking" && outcome.newKnock !== null && label(m.id) === "?") {
        next.knocks[outcome.newKnock]!.id = m.id;
      }
    }
    conn.cursor = conn.client.received.length;
    if (conn.closed) real.conns[slot] = null;
  });
  model.s = next;
  checkViews(next, real);
}

/** No ghosts and no one missing: every member shows exactly the live identities other than itself. */
function checkViews(state: State, real: RealRoom): void {
  const live = liveIdentities(state);
  state.slots.forEach((slot, index) => {
    const conn = real.conns[index];
    if ((slot.socket === "none") !== (conn === null)) {
      throw new ModelViolation(`${NAMES[index]}: the model and the real socket disagree on whether it is open`);
    }
    if (slot.socket !== "member") return;
    const want = live.filter((i) => i !== slot.identity).map((i) => state.identities[i]!.id!);
    const view = conn!.view ?? new Set<string>();
    const ghosts = [...view].filter((id) => !want.includes(id));
    const missing = want.filter((id) => !view.has(id));
    if (ghosts.length || missing.length) {
      const label = labeller(state);
      throw new ModelViolation(
        `${NAMES[index]}'s view of the call is wrong: ghosts [${ghosts.map(label).join(",")}], missing [${missing.map(label).join(",")}]`,
      );
    }
  });
}
