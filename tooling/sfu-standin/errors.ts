/**
 * The stand-in's error answers. Cloudflare Realtime answers every failure with a JSON body
 * `{errorCode, errorDescription}` (https://developers.cloudflare.com/realtime/sfu/observability/error-codes/,
 * "Read the response"); the codes live here, in one place, so that when a code is found to differ
 * from production it is corrected once.
 */

/** Where each code comes from: "documented" codes are named in Cloudflare's docs or seen in
 * answers quoted by Cloudflare's own repositories; "assumed" ones are the stand-in's best guess. */
export const ERROR_CODES = {
  /** Documented: error-codes page, "Request errors": the App Secret was not accepted. */
  unauthorized: { status: 401, code: "unauthorized" },
  /** Documented in practice: a malformed body answers `decoding_error` / "JSON body validation error"
   * (quoted in cloudflare/meet issue #168). */
  badBody: { status: 400, code: "decoding_error" },
  /** Assumed: the limits page says 50 calls per second per session but names no code. */
  rateLimited: { status: 429, code: "rate_limited" },
  /** Assumed: an unknown session or app. */
  notFound: { status: 404, code: "not_found" },
  /** Assumed: a request that the SDP state machine cannot take now (e.g. an answer with no offer out). */
  badState: { status: 400, code: "invalid_state" },
  /** Assumed: a shape production accepts but this stand-in does not imitate (said plainly, not faked). */
  unsupported: { status: 501, code: "not_implemented" },
} as const;

export type ErrorKind = keyof typeof ERROR_CODES;

/** A per-track failure inside an HTTP 200 batch answer (error-codes page, "Read the response"). */
export const TRACK_NOT_FOUND = "not_found";
export const MID_NOT_FOUND = "not_found";

export class ApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  constructor(
    kind: ErrorKind,
    readonly errorDescription: string,
  ) {
    super(errorDescription);
    this.status = ERROR_CODES[kind].status;
    this.errorCode = ERROR_CODES[kind].code;
  }
  body(): { errorCode: string; errorDescription: string } {
    return { errorCode: this.errorCode, errorDescription: this.errorDescription };
  }
}
