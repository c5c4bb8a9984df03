/**
 * A thin client of the Realtime SFU HTTP API for the stand-in's tests: it sends exactly what a
 * backend would (bearer App Secret, JSON) and hands back status and parsed body untouched, so the
 * tests can pin the shapes themselves.
 */
import type { SfuStandin } from "../../../tooling/sfu-standin/start";

export interface Answer {
  status: number;
  // The body as JSON, deliberately loose: the tests check each field they rely on.
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
  body: any;
}

export class RealtimeApi {
  constructor(
    private readonly standin: SfuStandin,
    private readonly secret = standin.appSecret,
    private readonly appId = standin.appId,
  ) {}

  withSecret(secret: string | null): RealtimeApi {
    return new RealtimeApi(this.standin, secret ?? "", this.appId);
  }

  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.secret) headers.authorization = `Bearer ${this.secret}`;
    const response = await fetch(`${this.standin.apiBase}/apps/${this.appId}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  newSession(body?: unknown): Promise<Answer> {
    return this.call("POST", "/sessions/new", body);
  }
  newTracks(sessionId: string, body: unknown): Promise<Answer> {
    return this.call("POST", `/sessions/${sessionId}/tracks/new`, body);
  }
  renegotiate(sessionId: string, body: unknown): Promise<Answer> {
    return this.call("PUT", `/sessions/${sessionId}/renegotiate`, body);
  }
  updateTracks(sessionId: string, body: unknown): Promise<Answer> {
    return this.call("PUT", `/sessions/${sessionId}/tracks/update`, body);
  }
  closeTracks(sessionId: string, body: unknown): Promise<Answer> {
    return this.call("PUT", `/sessions/${sessionId}/tracks/close`, body);
  }
  getSession(sessionId: string): Promise<Answer> {
    return this.call("GET", `/sessions/${sessionId}`);
  }
}
