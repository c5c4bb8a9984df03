/**
 * Every frame passes here before the rules read it: text only, within the socket's flood
 * budget, within the size cap, and a valid message. Whatever fails is answered here (an error,
 * or for flooding and oversize frames, a close) and goes no further.
 */
import { CloseCode } from "../../common/close-codes";
import { isOversize, parseClientMessage } from "../../common/parse-client-message";
import { type ClientMessage, MAX_MESSAGE_BYTES } from "../../common/protocol";
import type { Changes } from "./changes";
import { depart } from "./departure";
import { ASK_RECORDS, type Ask, type Frame } from "./facts";
import { STATE_BUDGET } from "./limits";
import { freshBudget, spend } from "./message-budget";
import { error } from "./replies";

/** What the shell finds out about a frame before anything else: its kind and size, then its message. */
export function readFrame(raw: string | ArrayBuffer): Frame {
  if (typeof raw !== "string") return { kind: "binary" };
  if (isOversize(raw)) return { kind: "oversize" };
  return { kind: "text", parsed: parseClientMessage(raw) };
}

/** The frame's message, or null when the frame has been answered here. */
export function gate(changes: Changes, ref: number, frame: Frame): ClientMessage | null | Ask {
  const self = changes.room.attachment(ref);
  if (self.departed) return null;
  if (frame.kind === "binary") {
    changes.send(ref, error("binary-unsupported", "Send text frames holding JSON."));
    return null;
  }
  const flood = chargeFrame(changes, ref);
  if (flood === "refused") return null;
  if (flood === "close" || frame.kind === "oversize") {
    if (!changes.facts.records) return ASK_RECORDS;
    if (flood === "close")
      changes.close(ref, CloseCode.policyViolation, "Too many messages: this connection was closed.");
    else changes.close(ref, CloseCode.messageTooBig, `Message too big: the limit is ${MAX_MESSAGE_BYTES} bytes.`);
    depart(changes, ref, flood === "close" ? CloseCode.policyViolation : CloseCode.messageTooBig);
    return null;
  }
  if (!frame.parsed.ok) {
    changes.send(ref, error(frame.parsed.code, frame.parsed.message));
    return null;
  }
  const message = frame.parsed.message;
  // A raised or lowered hand is rebroadcast as state: it shares the `state` bucket.
  const rebroadcast = message.type === "state" || message.type === "raise-hand" || message.type === "lower-hand";
  if (rebroadcast && !chargeState(changes, ref)) return null;
  if ((message.type === "join" || message.type === "knock") && !self.member) {
    // Acting at the door earns a fresh DOOR_IDLE_MS: the answer must never race the idle
    // close, and the person needs time to read it. Idle sockets stay bounded by the
    // per-client and per-room caps (door.ts).
    changes.update(ref, { doorSince: changes.now });
  }
  return message;
}

/**
 * Charges one frame to the socket's budget (message-budget.ts). Only an exhausted bucket is
 * written to the attachment, to survive hibernation: a spent-but-positive one refills fully
 * within seconds, long before an idle object hibernates, so writing it on every message
 * would only slow every message down.
 */
function chargeFrame(changes: Changes, ref: number): "ok" | "refused" | "close" {
  const config = changes.facts.settings.messageBudget;
  const { now } = changes;
  const before =
    changes.facts.sockets[ref]?.messageBudget ?? changes.room.attachment(ref).budget ?? freshBudget(config, now);
  const { state, verdict } = spend(before, config, now);
  changes.keepBudget(ref, "messages", state);
  if (verdict === "ok") return "ok";
  changes.update(ref, { budget: state });
  if (verdict === "refused") changes.send(ref, error("rate-limited", "Too many messages; slow down."));
  return verdict;
}

/** `state` is rebroadcast to everyone: its own small bucket on top of the general one. */
function chargeState(changes: Changes, ref: number): boolean {
  const { now } = changes;
  const before = changes.facts.sockets[ref]?.stateBudget ?? freshBudget(STATE_BUDGET, now);
  const { state, verdict } = spend(before, STATE_BUDGET, now);
  changes.keepBudget(ref, "state", state);
  if (verdict === "ok") return true;
  changes.send(ref, error("rate-limited", "Too many name, media or hand changes; slow down."));
  return false;
}
