/**
 * The HTTP face of the stand-in: the Realtime SFU Connection API's routes under `/v1/apps/{appId}`
 * (https://developers.cloudflare.com/realtime/sfu/api/, "Session and track operations"), bearer
 * App Secret, per-session rate limit, JSON errors `{errorCode, errorDescription}`.
 * Mutations of one session run one after another, as Cloudflare asks callers to serialize them
 * (negotiation page, "Serialize mutations per session").
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import * as v from "valibot";
import { ApiError } from "./errors";
import { REQUESTS_PER_SECOND, SessionRateLimiter } from "./rate-limit";
import { TrackRegistry } from "./registry";
import { StandinSession } from "./session";
import {
  CloseTracksBody,
  describeIssues,
  NewSessionBody,
  NewTracksBody,
  RenegotiateBody,
  UpdateTracksBody,
} from "./shapes";

const MAX_BODY_BYTES = 1_000_000;
const ROUTE = /^\/v1\/apps\/([^/]+)\/sessions\/([^/]+)(\/tracks\/new|\/tracks\/update|\/tracks\/close|\/renegotiate)?$/;

export interface StandinOptions {
  appId: string;
  appSecret: string;
  trackTimeoutMs?: number;
  /** The rate limiter's clock in ms; tests stop it to count calls "in one second" exactly. */
  now?: () => number;
}

export class StandinServer {
  readonly http: Server;
  readonly registry: TrackRegistry;
  private readonly sessions = new Map<string, StandinSession>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly limiter: SessionRateLimiter;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: StandinOptions) {
    this.registry = new TrackRegistry(options.trackTimeoutMs);
    this.limiter = new SessionRateLimiter(REQUESTS_PER_SECOND, options.now);
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        const failure = error instanceof ApiError ? error : new ApiError("badState", String(error));
        send(res, failure.status, failure.body());
      });
    });
    const every = Math.max(50, Math.min(1_000, Math.floor(this.registry.trackTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.registry.sweep(performance.now()), every);
    this.sweeper.unref();
  }

  session(id: string): StandinSession | undefined {
    return this.sessions.get(id);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((session) => session.close()));
    this.sessions.clear();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = ROUTE.exec(new URL(req.url ?? "/", "http://standin").pathname);
    if (!match) throw new ApiError("notFound", `no such endpoint: ${req.method} ${req.url}`);
    const [, appId, sessionPart, action] = match as unknown as [string, string, string, string | undefined];
    if (!this.authorized(appId, req.headers.authorization))
      throw new ApiError("unauthorized", "the App Secret was not accepted for this app");
    const route = `${req.method} ${sessionPart === "new" && !action ? "new" : (action ?? "")}`;
    if (route === "POST new") {
      const body = v.safeParse(NewSessionBody, await readJson(req));
      if (!body.success) throw new ApiError("badBody", describeIssues(body.issues));
      const session = new StandinSession(randomBytes(16).toString("hex"), this.registry);
      this.sessions.set(session.id, session);
      const offer = body.output.sessionDescription;
      const answer = offer ? await session.answer(offer) : undefined;
      return send(res, 201, { sessionId: session.id, ...(answer && { sessionDescription: answer }) });
    }
    const session = this.sessions.get(sessionPart);
    if (!session) throw new ApiError("notFound", `no session ${sessionPart} in app ${appId}`);
    if (!this.limiter.take(session.id))
      throw new ApiError("rateLimited", "more than 50 API calls in one second for this session");
    switch (route) {
      case "GET ":
        return send(res, 200, session.describe());
      case "POST /tracks/new": {
        const body = v.safeParse(NewTracksBody, await readJson(req));
        if (!body.success) throw new ApiError("badBody", describeIssues(body.issues));
        return send(res, 200, await this.serialized(session.id, () => session.newTracks(body.output)));
      }
      case "PUT /renegotiate": {
        const body = v.safeParse(RenegotiateBody, await readJson(req));
        if (!body.success) throw new ApiError("badBody", describeIssues(body.issues));
        await this.serialized(session.id, () => session.renegotiate(body.output.sessionDescription));
        return send(res, 200, {});
      }
      case "PUT /tracks/update": {
        const body = v.safeParse(UpdateTracksBody, await readJson(req));
        if (!body.success) throw new ApiError("badBody", describeIssues(body.issues));
        return send(res, 200, await this.serialized(session.id, async () => session.updateTracks(body.output)));
      }
      case "PUT /tracks/close": {
        const body = v.safeParse(CloseTracksBody, await readJson(req));
        if (!body.success) throw new ApiError("badBody", describeIssues(body.issues));
        const { tracks, sessionDescription, force } = body.output;
        const mids = tracks.map((track) => track.mid);
        return send(
          res,
          200,
          await this.serialized(session.id, () => session.closeTracks(mids, sessionDescription, force)),
        );
      }
      default:
        throw new ApiError("notFound", `no such endpoint: ${req.method} ${req.url}`);
    }
  }

  private authorized(appId: string, header: string | undefined): boolean {
    if (appId !== this.options.appId) return false;
    const given = Buffer.from(header ?? "");
    const expected = Buffer.from(`Bearer ${this.options.appSecret}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private serialized<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.queues.set(sessionId, next);
    return next;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError("badBody", "JSON body validation error: body too large");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("badBody", "JSON body validation error: not JSON");
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
