/**
 * The relay under load: Node WebSocket clients in natter rooms (and in the floor's bare relay
 * rooms) send ICE-candidate-shaped signals to each other at a paced rate and time each one from
 * send to arrival. Sender and receiver live in this one process, so one clock times both ends.
 */
import { performance } from "node:perf_hooks";
import { roomIdFor } from "../common/room-id";
import { delay } from "../tooling/wrangler";
import { quantileSorted } from "./lib/stats";

export type Relay = "natter" | "bare";

interface Client {
  ws: WebSocket;
  /** How others address this client: natter's peer id, or the bare relay's tag. */
  id: string;
  /** The others in its room. */
  others: string[];
}

export interface StepResult {
  offered: number;
  /** What the client actually managed to send per second (it shares the two cores with the server). */
  sent: number;
  delivered: number;
  /** Share of sent messages that arrived before the drain deadline. */
  deliveredShare: number;
  p50: number;
  p99: number;
  /** Median latency of the messages sent in the step's last quarter: high when a queue is building. */
  endP50: number;
  max: number;
  /** Errors the room answered with (flood control says "rate-limited"). */
  errors: number;
  /**
   * CPU used during the step, in cores (1 = one core flat out): this bench's client, and the
   * server's wrangler + workerd. Says which side ran out first. Null where /proc is missing.
   */
  clientCores: number;
  serverCores: number | null;
  /** The step was stopped early: the relay fell a whole second of messages behind. */
  overwhelmed: boolean;
  pass: boolean;
}

const PING = '{"type":"ping"}';
/** Longer than the room's 20 s heartbeat timeout would allow without pings. */
const PING_EVERY_MS = 5_000;
/** Generous: the first socket of a fresh wrangler also compiles the Durable Object class. */
const CONNECT_TIMEOUT_MS = 30_000;
/**
 * A step passes when the relay kept up: nearly everything arrived, and no queue was building. A
 * relay that falls behind shows it as latency that grows through the step, so the median over the
 * step's last quarter must still be short; the p99 bound is looser, so that one scheduling hiccup
 * on a shared machine does not count as falling behind. And the client must really have sent the
 * rate, or the step measured the client.
 */
const PASS_DELIVERED = 0.99;
const PASS_END_P50_MS = 20;
const PASS_P99_MS = 200;
const PASS_SENT = 0.95;

let addresses = 0;

/** Each client its own made-up address: natter allows 120 room sockets a minute per address. */
function nextAddress(): string {
  addresses++;
  return `198.19.${(addresses >> 8) & 255}.${addresses & 255}`;
}

export class Rooms {
  readonly relay: Relay;
  readonly clients: Client[] = [];
  /** Every socket opened, joined or not, so that close() leaves none behind after a failed open(). */
  readonly #sockets: WebSocket[] = [];
  readonly #pinger: ReturnType<typeof setInterval>;
  #onSignal: (seq: number, at: number) => void = () => {};
  #errors = 0;

  private constructor(relay: Relay) {
    this.relay = relay;
    this.#pinger = setInterval(() => {
      if (this.relay !== "natter") return;
      for (const client of this.clients) if (client.ws.readyState === WebSocket.OPEN) client.ws.send(PING);
    }, PING_EVERY_MS);
  }

  /** `rooms` rooms of `size` clients each: a room's members join one after another, as people do; ten rooms at a time. */
  static async open(relay: Relay, baseUrl: string, rooms: number, size: number, tag: string): Promise<Rooms> {
    const set = new Rooms(relay);
    const wsBase = baseUrl.replace(/^http/, "ws");
    const batch = 10;
    try {
      for (let first = 0; first < rooms; first += batch) {
        const group = Array.from({ length: Math.min(batch, rooms - first) }, (_, i) => first + i);
        const joined = await Promise.all(
          group.map(async (r) => {
            const members: Client[] = [];
            for (let i = 0; i < size; i++) members.push(await set.#connect(relay, wsBase, `${tag}-${r}`, i));
            for (const member of members) member.others = members.filter((m) => m !== member).map((m) => m.id);
            return members;
          }),
        );
        set.clients.push(...joined.flat());
      }
    } catch (error) {
      set.close();
      throw error;
    }
    return set;
  }

  /** One more try for a socket the server did not answer: one lost handshake among 400 says nothing about relaying. */
  async #connect(relay: Relay, wsBase: string, room: string, index: number): Promise<Client> {
    try {
      return await this.#connectOnce(relay, wsBase, room, index);
    } catch {
      return await this.#connectOnce(relay, wsBase, room, index);
    }
  }

  async #connectOnce(relay: Relay, wsBase: string, room: string, index: number): Promise<Client> {
    // natter's sockets are addressed by room id, as the page does it; the floor relays key on the name.
    const url =
      relay === "natter" ? `${wsBase}/api/rooms/${await roomIdFor(room)}/ws` : `${wsBase}/relay/${room}?peer=p${index}`;
    // Node's WebSocket (undici) takes headers in a second argument; the DOM typing does not know it.
    const ws = new WebSocket(url, { headers: { "CF-Connecting-IP": nextAddress() } } as unknown as string[]);
    this.#sockets.push(ws);
    const client: Client = { ws, id: relay === "bare" ? `p${index}` : "", others: [] };
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from ${url}`)), CONNECT_TIMEOUT_MS);
      ws.addEventListener("error", () => reject(new Error(`socket error on ${url}`)));
      ws.addEventListener("open", () => {
        if (relay === "bare") {
          clearTimeout(timer);
          resolve();
        } else {
          ws.send(JSON.stringify({ type: "join", name: `b${index}` }));
        }
      });
      ws.addEventListener("message", (event: MessageEvent) => {
        const text = event.data as string;
        const mark = text.indexOf("candidate:");
        if (mark >= 0) {
          this.#onSignal(Number.parseInt(text.slice(mark + 10), 10), performance.now());
          return;
        }
        if (text.startsWith('{"type":"welcome"')) {
          client.id = (JSON.parse(text) as { id: string }).id;
          clearTimeout(timer);
          resolve();
        } else if (text.startsWith('{"type":"error"')) {
          this.#errors++;
        } else if (text.startsWith('{"type":"denied"')) {
          reject(new Error(`denied: ${text}`));
        }
      });
    });
    try {
      await answered;
    } catch (error) {
      ws.close();
      throw error;
    }
    return client;
  }

  /**
   * Offers `rate` signals per second for `durationMs`, spread round-robin over every client (each
   * sends to a random other member of its room), then waits up to `drainMs` for stragglers.
   */
  async drive(rate: number, durationMs: number, drainMs: number, serverCpu: () => number | null): Promise<StepResult> {
    const total = Math.ceil((rate * durationMs) / 1000);
    const sentAt = new Float64Array(total).fill(Number.NaN);
    /** By send order, so that the end of the step can be told apart from the whole. */
    const latencyOf = new Float64Array(total).fill(Number.NaN);
    let arrived = 0;
    const base = seqBase;
    seqBase += total + 1;
    this.#errors = 0;
    this.#onSignal = (seq, at) => {
      const i = seq - base;
      if (i < 0 || i >= total || !Number.isNaN(latencyOf[i]!) || Number.isNaN(sentAt[i]!)) return;
      latencyOf[i] = at - sentAt[i]!;
      arrived++;
    };
    let sent = 0;
    let overwhelmed = false;
    const clientBefore = process.cpuUsage();
    const serverBefore = serverCpu();
    const start = performance.now();
    await new Promise<void>((resolve) => {
      // Paced by the clock, not by the timer: a late tick sends what it owes.
      const timer = setInterval(() => {
        const elapsed = performance.now() - start;
        const due = Math.min(total, Math.floor((rate * elapsed) / 1000));
        while (sent < due) {
          const client = this.clients[sent % this.clients.length]!;
          const to = client.others[Math.floor(Math.random() * client.others.length)]!;
          sentAt[sent] = performance.now();
          client.ws.send(signal(this.relay, to, base + sent));
          sent++;
        }
        // A relay a whole second of messages behind has failed this step: sending on would only
        // pile up a backlog that takes the server tens of seconds to work off.
        if (sent - arrived > rate) overwhelmed = true;
        if (sent >= total || elapsed > durationMs * 1.5 || overwhelmed) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
    const sendSeconds = (performance.now() - start) / 1000;
    const client = process.cpuUsage(clientBefore);
    const serverAfter = serverCpu();
    const clientCores = (client.user + client.system) / 1e6 / sendSeconds;
    const serverCores =
      serverBefore === null || serverAfter === null ? null : (serverAfter - serverBefore) / sendSeconds;
    const drainUntil = performance.now() + drainMs;
    while (arrived < sent && performance.now() < drainUntil) await delay(20);
    this.#onSignal = () => {};
    const arrivedOnly = (from: number) =>
      [...latencyOf.subarray(from, sent)].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const latencies = arrivedOnly(0);
    const deliveredShare = sent > 0 ? latencies.length / sent : 0;
    const sentRate = sent / sendSeconds;
    const p99 = deliveredShare >= PASS_DELIVERED ? quantileSorted(latencies, 0.99) : Number.POSITIVE_INFINITY;
    const endP50 = quantileSorted(arrivedOnly(Math.floor(sent * 0.75)), 0.5);
    return {
      offered: rate,
      sent: Math.round(sentRate),
      delivered: latencies.length,
      deliveredShare,
      p50: quantileSorted(latencies, 0.5),
      p99,
      endP50,
      max: latencies[latencies.length - 1] ?? Number.NaN,
      errors: this.#errors,
      clientCores,
      serverCores,
      overwhelmed,
      pass:
        !overwhelmed &&
        deliveredShare >= PASS_DELIVERED &&
        sentRate >= rate * PASS_SENT &&
        endP50 <= PASS_END_P50_MS &&
        p99 <= PASS_P99_MS,
    };
  }

  close(): void {
    clearInterval(this.#pinger);
    for (const ws of this.#sockets) {
      try {
        ws.close(1000, "bench done");
      } catch {
        // Already closed.
      }
    }
  }
}

/** Sequence numbers never repeat across steps, so a straggler from an earlier step cannot be mistaken. */
let seqBase = 1;

/** The same bytes for both relays: an ICE candidate as natter's protocol carries it, the number in its foundation. */
function signal(relay: Relay, to: string, seq: number): string {
  const data = `{"candidate":{"candidate":"candidate:${seq} 1 udp 1 192.0.2.1 9 typ host","sdpMid":"0","sdpMLineIndex":0}}`;
  return relay === "natter"
    ? `{"type":"signal","to":"${to}","data":${data}}`
    : `@${to} {"type":"signal","data":${data}}`;
}

export interface Sweep {
  steps: StepResult[];
  /** The highest offered rate that passed (on its first try or its retry), or 0. */
  sustained: number;
  /** The sweep ran out of its time before it found a rate that fails: `sustained` is then a lower bound. */
  cutShort: boolean;
}

/** A server counts as idle again below this many cores of CPU. */
const IDLE_CORES = 0.25;
const SETTLE_LIMIT_MS = 20_000;

/**
 * Waits until the server has worked off what an overloaded step left queued. In `wrangler dev`
 * every room runs in one workerd thread, so a backlog in an old room would slow (or time out) the
 * sockets of the next set's rooms, and its numbers would measure the previous set.
 */
export async function settle(serverCpu: () => number | null): Promise<void> {
  const deadline = performance.now() + SETTLE_LIMIT_MS;
  for (let before = serverCpu(); before !== null && performance.now() < deadline; ) {
    await delay(500);
    const after = serverCpu();
    if (after === null || (after - before) / 0.5 < IDLE_CORES) return;
    before = after;
  }
}

/** Rates are refined down to this step between the last rate that passed and the first that failed. */
const REFINE_TO = 250;

/**
 * Steps the rate up until a rate fails twice in a row: on a shared machine one step can fail to
 * someone else's burst of work, so a failed step gets one more try before the sweep ends. Then it
 * bisects between the last rate that passed and the one that failed, because the coarse steps
 * alone (2,000 then 3,000) would turn a relay that manages 2,900 into one that manages 2,000.
 */
export async function sweep(
  rooms: Rooms,
  rates: readonly number[],
  stepMs: number,
  drainMs: number,
  serverCpu: () => number | null,
  /** Date.now() after which no further step starts (the bench as a whole has ten minutes). */
  deadline: number,
): Promise<Sweep> {
  const steps: StepResult[] = [];
  let cutShort = false;
  const attempt = async (rate: number, retry: boolean): Promise<boolean> => {
    let step = await rooms.drive(rate, stepMs, drainMs, serverCpu);
    steps.push(step);
    if (!step.pass && retry) {
      // A failed step leaves thousands of messages queued: the retry must not inherit them.
      await settle(serverCpu);
      step = await rooms.drive(rate, stepMs, drainMs, serverCpu);
      steps.push(step);
    }
    if (step.pass) await delay(200);
    else await settle(serverCpu);
    return step.pass;
  };
  let passed = 0;
  let failed: number | null = null;
  for (const rate of rates) {
    if (Date.now() > deadline) {
      cutShort = true;
      break;
    }
    if (!(await attempt(rate, true))) {
      failed = rate;
      break;
    }
    passed = rate;
  }
  while (failed !== null && failed - passed > REFINE_TO && Date.now() < deadline) {
    const middle = Math.round((passed + failed) / 2 / REFINE_TO) * REFINE_TO;
    if (middle <= passed || middle >= failed) break;
    // One try each: the bench has a time limit, and a rate between two measured ones that fails once is not claimed.
    if (await attempt(middle, false)) passed = middle;
    else failed = middle;
  }
  return { steps, sustained: passed, cutShort };
}
