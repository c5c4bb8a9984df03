/**
 * A real WebSocket client for tests that run inside workerd: it goes through the
 * Worker's own fetch handler, exactly as a browser's upgrade request would.
 */
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { PING, PONG } from "../../../common/heartbeat";
import type { PeerInfo, ServerMessage, SignalData } from "../../../common/protocol";
import { roomIdFor } from "../../../common/room-id";
import { normalizeRoomName } from "../../../common/room-name";
import type { Room } from "../../../durable-objects/room";

const ORIGIN = "https://natter.test";

export function randomRoom(): string {
  return `room-${crypto.randomUUID().slice(0, 8)}`;
}

/** A made-up client address per call, so the per-client rate limit only bites where a test wants it to. */
export function randomClientAddress(): string {
  const [a, b, c] = crypto.getRandomValues(new Uint8Array(3));
  return `198.51.${a}.${(b! ^ c!) & 0xff}`;
}

/** Every room id these tests derived, by the name they used, so that `roomStub` can stay synchronous. */
const idsByName = new Map<string, string>();

/** What a browser does before it opens a room's socket: normalize the name, then hash it (common/room-id.ts). */
export async function roomIdOf(room: string): Promise<string> {
  const normalized = normalizeRoomName(room);
  if (!normalized.ok) throw new Error(`not a valid room name: ${JSON.stringify(room)} (${normalized.reason})`);
  const id = await roomIdFor(normalized.name);
  idsByName.set(room, id);
  return id;
}

/** The socket path a browser opens for room `room`. */
export async function roomPathOf(room: string): Promise<string> {
  return `/api/rooms/${await roomIdOf(room)}/ws`;
}

/** The Room Durable Object of a room these tests already opened (the Worker addresses it by the id). */
export function roomStub(room: string): DurableObjectStub<Room> {
  const id = idsByName.get(room);
  if (id === undefined) throw new Error(`roomStub: no socket was opened to ${JSON.stringify(room)} yet`);
  return env.ROOM.get(env.ROOM.idFromName(id));
}

export async function upgrade(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${ORIGIN}${path}`, {
    headers: { Upgrade: "websocket", Origin: ORIGIN, "CF-Connecting-IP": randomClientAddress(), ...headers },
  });
}

export class RoomClient {
  readonly received: ServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];
  private cursor = 0;
  private pongs = 0;
  id = "";
  resumeToken = "";

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      if (event.data === PONG) this.pongs++;
      else if (typeof event.data === "string") this.received.push(JSON.parse(event.data) as ServerMessage);
      this.wake();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  /** `address` makes the socket come from one client (CF-Connecting-IP); by default each socket is a new client. */
  static async connect(room: string, { address }: { address?: string } = {}): Promise<RoomClient> {
    const response = await upgrade(
      await roomPathOf(room),
      address === undefined ? {} : { "CF-Connecting-IP": address },
    );
    if (response.status !== 101 || !response.webSocket) {
      throw new Error(`upgrade failed: ${response.status} ${await response.text()}`);
    }
    response.webSocket.accept();
    return new RoomClient(response.webSocket);
  }

  /** Connects and joins, returning the client once it is welcomed. */
  static async join(room: string, name: string): Promise<{ client: RoomClient; peers: PeerInfo[] }> {
    const client = await RoomClient.connect(room);
    client.send({ type: "join", name });
    const welcome = await client.next("welcome");
    client.id = welcome.id;
    client.resumeToken = welcome.resumeToken;
    return { client, peers: welcome.peers };
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  signal(to: string, data: SignalData): void {
    this.send({ type: "signal", to, data });
  }

  /** The next unread message, which must be of the given type. */
  async next<T extends ServerMessage["type"]>(type?: T): Promise<Extract<ServerMessage, { type: T }>> {
    while (this.cursor >= this.received.length) {
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting for ${type ?? "a message"}`);
      await this.waitForEvent();
    }
    const message = this.received[this.cursor++]!;
    if (type && message.type !== type) {
      throw new Error(`expected ${type}, got ${JSON.stringify(message)}`);
    }
    return message as Extract<ServerMessage, { type: T }>;
  }

  /**
   * Proves nothing else is queued for this client: it provokes an error reply and
   * requires that reply to be the very next message. Because each socket's messages
   * arrive in order, anything relayed earlier would come first.
   */
  async expectNothingPending(): Promise<void> {
    this.send("barrier (not json)");
    const message = await this.next();
    if (message.type !== "error" || message.code !== "bad-json") {
      throw new Error(`expected nothing pending, got ${JSON.stringify(message)}`);
    }
  }

  /** Sends a heartbeat and waits for the runtime's automatic answer. */
  async heartbeat(): Promise<void> {
    const before = this.pongs;
    this.ws.send(PING);
    while (this.pongs === before) await this.waitForEvent();
  }

  async waitForClose(): Promise<{ code: number; reason: string }> {
    while (!this.closed) await this.waitForEvent();
    return this.closed;
  }

  close(): void {
    this.ws.close(1000, "bye");
  }

  private waitForEvent(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for a message")), 15_000);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export const offer: SignalData = { description: { type: "offer", sdp: "v=0\r\n" } };
export const answer: SignalData = { description: { type: "answer", sdp: "v=0\r\n" } };
export const candidate = (n: number): SignalData => ({
  candidate: {
    candidate: `candidate:${n} 1 udp 2122260223 192.0.2.1 5000${n} typ host`,
    sdpMid: "0",
    sdpMLineIndex: 0,
  },
});

/** Moves the room's clock forward, so that tests need not wait out graces, lapses and cooldowns. */
export async function advanceClock(room: string, ms: number): Promise<void> {
  await runInDurableObject(roomStub(room), (instance: Room) => {
    const before = instance.now;
    instance.now = () => before() + ms;
  });
}

/** Ada and Bo in a fresh open room, once Ada has heard of Bo. */
export async function pair(): Promise<{ room: string; ada: RoomClient; bo: RoomClient }> {
  const room = randomRoom();
  const { client: ada } = await RoomClient.join(room, "Ada");
  const { client: bo } = await RoomClient.join(room, "Bo");
  await ada.next("peer-joined");
  return { room, ada, bo };
}
