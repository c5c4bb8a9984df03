/**
 * Reading one text frame a browser sent: too big, not JSON, an unknown type, or a message that
 * breaks its schema (protocol.ts), each with the error the sender should hear. Apart from the
 * schemas because only the room parses client frames; a browser imports the schemas alone.
 * Like protocol.ts it must stay free of both DOM and Workers globals: it is compiled in both worlds.
 */
import * as v from "valibot";
import { describeNameProblem, findNameProblem } from "./display-name-rules";
import { ClientMessage, type ErrorCode, MAX_MESSAGE_BYTES } from "./protocol";

/**
 * The client message types, made on first use: a set built at module load would keep every
 * client schema (and its English messages) in the browser's bundle, which only reads ServerMessage.
 */
let knownClientTypes: ReadonlySet<string> | null = null;
const clientTypes = (): ReadonlySet<string> =>
  (knownClientTypes ??= new Set(ClientMessage.options.map((option) => option.entries.type.literal)));

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; code: ErrorCode; message: string };

/**
 * Turns one text frame into a validated client message, or into the error the sender
 * should hear. Never throws, whatever the input.
 */
export function parseClientMessage(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad-json", message: "Message is not valid JSON." };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, code: "bad-message", message: "Message must be a JSON object with a string field `type`." };
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== "string") {
    return { ok: false, code: "bad-message", message: "Message must be a JSON object with a string field `type`." };
  }
  const known = clientTypes();
  if (!known.has(type)) {
    return {
      ok: false,
      code: "unknown-type",
      message: `Unknown message type (expected one of: ${[...known].join(", ")}).`,
    };
  }
  const result = v.safeParse(ClientMessage, raw);
  if (!result.success) {
    return {
      ok: false,
      code: "bad-message",
      message: `Invalid \`${type}\` message: ${describeIssue(result.issues[0])}`,
    };
  }
  return { ok: true, message: result.output };
}

/** A short, safe description of the first problem: the path and the rule, never the offending value. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue);
  const where = path ? `field \`${path.slice(0, 80)}\`` : "message";
  const nameProblem =
    issue.type === "raw_check" && typeof issue.input === "string" ? findNameProblem(issue.input) : null;
  if (nameProblem) return `${where} ${describeNameProblem(nameProblem)}.`;
  if (issue.kind === "schema" && issue.received === "undefined" && path) return `${where} is missing.`;
  if (issue.type === "strict_object" && issue.expected === "never") return `${where} is not allowed.`;
  return `${where} ${issue.kind === "validation" ? issue.message : `has the wrong type (expected ${issue.expected})`}.`;
}

/** Whether a text frame is over the 64 KiB cap, counted in UTF-8 bytes as it travelled. */
export function isOversize(text: string): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no encoding pass.
  if (text.length * 3 <= MAX_MESSAGE_BYTES) return false;
  return new TextEncoder().encode(text).byteLength > MAX_MESSAGE_BYTES;
}
