/**
 * SFU mode's requests over the room socket (not used by calls yet): one out at a time, the rest
 * queued in order, each settled by the room's reply or by the error that refuses it.
 *
 * The room serves ONE SFU request per member at a time (a second gets `sfu-busy`), and neither
 * requests nor replies carry ids. So matching relies on that one-at-a-time rule: whatever SFU
 * reply or SFU error arrives belongs to the request that is out, because nothing else is. To
 * stay safe against a late reply to a request we gave up on, a reply must also name only what
 * its request asked for (the tracks, the mids, the peer pulled from); one that does not is
 * ignored. Only `sfu-renegotiated` names nothing and cannot be checked.
 *
 * Errors: the SFU codes are sent only in answer to an sfu-* message, so they always belong to
 * the request that is out. Of the generic ones, `bad-message` belongs to it only when it names
 * its type (the room says "Invalid `sfu-pull` message: …"), and `unknown-peer` to an `sfu-pull`
 * (its `from` left the call; a signal to someone who just left gets the same error, a rare race
 * that would reject the pull wrongly). A frame the room drops as `rate-limited` never answers:
 * the request times out.
 */
import { type ClientMessage, type ErrorCode, type ServerMessage, SFU_ERROR_CODES } from "../../../common/protocol";

export type SfuRequest = Extract<ClientMessage, { type: `sfu-${string}` }>;

/** The reply that settles each request. */
const REPLY_TYPE = {
  "sfu-publish": "sfu-published",
  "sfu-pull": "sfu-pulled",
  "sfu-renegotiate": "sfu-renegotiated",
  "sfu-close": "sfu-closed",
  "sfu-layer": "sfu-layer-set",
} as const satisfies Record<SfuRequest["type"], ServerMessage["type"]>;

export type SfuReply<R extends SfuRequest = SfuRequest> = Extract<
  ServerMessage,
  { type: (typeof REPLY_TYPE)[R["type"]] }
>;

/** Error codes only an sfu-* message can earn. */
const SFU_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(SFU_ERROR_CODES);

/**
 * How long a request may stay unanswered. Longer than the room's hold (SFU_REQUEST_HOLD_MS,
 * 15 s) on purpose: the room keeps a member's request out until the SFU answers or the hold
 * lapses, and refuses the next one with `sfu-busy` meanwhile. Giving up sooner would send the
 * next request while the room still waits on a slow SFU for the last, booking it twice and
 * taking the late answer for the new request's.
 */
export const SFU_REQUEST_TIMEOUT_MS = 20_000;

/**
 * After a reply that names fewer tracks than were asked for, the room follows it at once with an
 * `sfu-failed` saying why (room-rules/sfu-results.ts). It belongs to the answered request, so the
 * next request waits for it, but never longer than this (in case the SFU simply left tracks out).
 */
export const TRAILING_ERROR_GRACE_MS = 2_000;

export type SfuRequestErrorCode = ErrorCode | "timeout" | "closed";

/** Why a request failed: the room's error code, or `timeout` / `closed` (the socket went away). */
export class SfuRequestError extends Error {
  readonly code: SfuRequestErrorCode;
  readonly request: SfuRequest["type"];

  constructor(code: SfuRequestErrorCode, request: SfuRequest["type"], message: string) {
    super(message);
    this.name = "SfuRequestError";
    this.code = code;
    this.request = request;
  }
}

/** What SfuRequests needs of the room socket: a way to send. Incoming messages are fed to receive(). */
export interface SfuSocket {
  send(message: ClientMessage): void;
}

interface Pending {
  request: SfuRequest;
  resolve(reply: SfuReply): void;
  reject(error: SfuRequestError): void;
}

export class SfuRequests {
  readonly #socket: SfuSocket;
  readonly #queue: Pending[] = [];
  #out: Pending | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Set while the next request waits for the trailing `sfu-failed` of a partial reply. */
  #draining = false;
  #closed = false;

  constructor(socket: SfuSocket) {
    this.#socket = socket;
  }

  /** Sends `request` when every earlier one is settled; resolves with the room's reply. */
  request<R extends SfuRequest>(request: R): Promise<SfuReply<R>> {
    return new Promise<SfuReply<R>>((resolve, reject) => {
      if (this.#closed) return reject(new SfuRequestError("closed", request.type, "The room socket is closed."));
      this.#queue.push({ request, resolve: resolve as (reply: SfuReply) => void, reject });
      this.#next();
    });
  }

  /**
   * Feeds one message from the room. True when it was an SFU reply or error this took as
   * settling (or trailing) the request that is out; anything else is left to other listeners.
   */
  receive(message: ServerMessage): boolean {
    if (this.#draining) {
      if (message.type !== "error" || message.code !== "sfu-failed") return false;
      this.#drained();
      return true;
    }
    const out = this.#out;
    if (!out) return false;
    if (message.type === "error") {
      if (!belongsTo(out.request, message.code, message.message)) return false;
      this.#settle();
      out.reject(new SfuRequestError(message.code, out.request.type, message.message));
      return true;
    }
    if (message.type !== REPLY_TYPE[out.request.type] || !answers(out.request, message as SfuReply)) return false;
    const partial = isPartial(out.request, message as SfuReply);
    this.#settle(partial);
    out.resolve(message as SfuReply);
    return true;
  }

  /** The socket closed: what is out and what is queued fail with `closed`, and so will later requests. */
  closed(): void {
    this.#closed = true;
    const all = [...(this.#out ? [this.#out] : []), ...this.#queue.splice(0)];
    this.#out = null;
    this.#draining = false;
    this.#clearTimer();
    for (const p of all) p.reject(new SfuRequestError("closed", p.request.type, "The room socket closed."));
  }

  /** The socket is back (the room kept our session): requests go out again. */
  reopen(): void {
    this.#closed = false;
    this.#next();
  }

  #next(): void {
    if (this.#out || this.#draining || this.#closed) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#out = next;
    this.#timer = setTimeout(() => {
      if (this.#out !== next) return;
      this.#settle();
      next.reject(
        new SfuRequestError(
          "timeout",
          next.request.type,
          `No answer to ${next.request.type} within ${SFU_REQUEST_TIMEOUT_MS / 1000} s.`,
        ),
      );
    }, SFU_REQUEST_TIMEOUT_MS);
    try {
      this.#socket.send(next.request);
    } catch (error) {
      this.#settle();
      next.reject(new SfuRequestError("closed", next.request.type, `Could not send: ${String(error)}`));
    }
  }

  /** The request that is out is done; the next goes now, or after the trailing error of a partial reply. */
  #settle(partial = false): void {
    this.#out = null;
    this.#clearTimer();
    if (partial) {
      this.#draining = true;
      this.#timer = setTimeout(() => this.#drained(), TRAILING_ERROR_GRACE_MS);
      return;
    }
    // Not from inside receive(), a timer or a failed send: no re-entrant sends, no recursion
    // when one send after another throws.
    queueMicrotask(() => this.#next());
  }

  #drained(): void {
    this.#draining = false;
    this.#clearTimer();
    queueMicrotask(() => this.#next());
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function belongsTo(request: SfuRequest, code: ErrorCode, message: string): boolean {
  if (SFU_CODES.has(code)) return true;
  if (code === "bad-message") return message.includes(`\`${request.type}\``);
  return code === "unknown-peer" && request.type === "sfu-pull";
}

/** Whether `reply` names only what `request` asked for (a late reply to an earlier request may not). */
function answers(request: SfuRequest, reply: SfuReply): boolean {
  switch (request.type) {
    case "sfu-publish":
      return (reply as SfuReply<typeof request>).tracks.every((t) =>
        request.tracks.some((r) => r.mid === t.mid && r.trackName === t.trackName),
      );
    case "sfu-pull":
      return (reply as SfuReply<typeof request>).tracks.every(
        (t) => t.from === request.from && request.tracks.includes(t.trackName),
      );
    case "sfu-close":
      return (reply as SfuReply<typeof request>).mids.every((mid) => request.mids.includes(mid));
    case "sfu-layer":
      return (reply as SfuReply<typeof request>).mid === request.mid;
    case "sfu-renegotiate":
      return true;
  }
}

/** A reply covering fewer tracks than asked for: the room's `sfu-failed` about the rest follows it. */
function isPartial(request: SfuRequest, reply: SfuReply): boolean {
  switch (request.type) {
    case "sfu-publish":
      return (reply as SfuReply<typeof request>).tracks.length < request.tracks.length;
    case "sfu-pull":
      return (reply as SfuReply<typeof request>).tracks.length < request.tracks.length;
    case "sfu-close":
      return (reply as SfuReply<typeof request>).mids.length < request.mids.length;
    default:
      return false;
  }
}
