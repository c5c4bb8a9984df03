/**
 * Putting what the engine and the room report (codes, never sentences) into the active language:
 * problems, media and room errors, connection quality, failed safety checks.
 */
import { MAX_ROOM_NAME_LENGTH, type RoomNameProblem } from "../../common/room-name";
import type { CallError, RoomNoticeCode } from "../call/handle";
import type { MediaProblem } from "../call/media/acquire";
import type { ConnectionQuality } from "../call/peer/quality";
import type { SafetyFailure } from "../call/peer/safety-exchange";
import { t } from "./active";

import { format } from "./format";
import type { Problem, SentenceKey } from "./problem";

export type { Problem } from "./problem";

/** The problem in the active language; numbers in it written the language's way. */
export function say(problem: Problem): string {
  const text = t();
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(problem.values ?? {}))
    values[name] = typeof value === "number" ? value.toLocaleString(text.locale) : value;
  return format(text[problem.key], values);
}

const ROOM_NAME: Record<RoomNameProblem | "bad-link", SentenceKey> = {
  empty: "roomNameEmpty",
  characters: "roomNameCharacters",
  "too-long": "roomNameTooLong",
  "bad-link": "roomNameBadLink",
};

export function roomNameProblem(code: RoomNameProblem | "bad-link"): string {
  return format(t()[ROOM_NAME[code]], { max: MAX_ROOM_NAME_LENGTH });
}

const CALL_ERRORS: Record<CallError, SentenceKey> = {
  unreachable: "errorUnreachable",
  "room-refused": "errorRoomRefused",
  full: "errorFull",
  replaced: "errorReplaced",
  insecure: "errorInsecure",
  connect: "errorConnect",
  refused: "errorRefused",
  lost: "errorLost",
};

export function callError(code: CallError): string {
  return t()[CALL_ERRORS[code]];
}

const ROOM_NOTICES: Record<RoomNoticeCode, SentenceKey> = {
  busy: "roomBusy",
  "lock-cooldown": "roomLockCooldown",
  "rate-limited": "roomRateLimited",
  "too-many-reactions": "roomTooManyReactions",
};

export function roomNotice(code: RoomNoticeCode): string {
  return t()[ROOM_NOTICES[code]];
}

/** One sentence for a camera/microphone problem: what is missing, what still works, how to fix it. */
export function mediaProblem({ missing, reason }: MediaProblem): string {
  const text = t();
  const then = missing === "both" ? text.thenWatchOnly : text.thenAudioOnly;
  const how = missing === "both" ? text.howToAllowShort : text.howToAllowCamera;
  if (reason === "insecure") return format(text.mediaInsecure, { then });
  const both = missing === "both";
  switch (reason) {
    case "NotAllowedError":
    case "SecurityError":
      return format(both ? text.mediaBlocked : text.cameraBlocked, { then, how });
    case "NotFoundError":
    case "OverconstrainedError":
      return format(both ? text.mediaNotFound : text.cameraNotFound, { then });
    case "NotReadableError":
    case "AbortError":
      return format(both ? text.mediaInUse : text.cameraInUse, { then });
    default:
      return format(both ? text.mediaUnavailable : text.cameraUnavailable, { then });
  }
}

const LEVELS = { good: "qualityGood", fair: "qualityFair", poor: "qualityPoor" } as const;

/** The words a quality badge says: its accessible name and the numbers behind it. */
export function describeQuality(quality: ConnectionQuality): { label: string; details: string } {
  const text = t();
  if (quality.stalled) return { label: text.qualityStalled, details: text.qualityStalledDetails };
  const number = (value: number, digits: number) =>
    value.toLocaleString(text.locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const loss = quality.lossPercent;
  return {
    label: text[LEVELS[quality.level]],
    details: format(text.qualityDetails, {
      rtt: quality.rttMs === null ? text.unknown : `${number(quality.rttMs, 0)} ms`,
      loss: loss === null ? text.unknown : `${number(loss, loss < 10 ? 1 : 0)}%`,
      video: quality.fps === null ? text.noVideo : format(text.fps, { fps: number(quality.fps, 0) }),
    }),
  };
}

const SAFETY: Record<SafetyFailure, SentenceKey> = {
  malformed: "safetyMalformed",
  revealBeforeCommit: "safetyRevealBeforeCommit",
  revealBeforeOurCommit: "safetyRevealBeforeOurCommit",
  doubleCommit: "safetyDoubleCommit",
  doubleReveal: "safetyDoubleReveal",
  badReveal: "safetyBadReveal",
  noCertificates: "safetyNoCertificates",
  certificatesChanged: "safetyCertificatesChanged",
  broken: "safetyBroken",
};

export function safetyFailure(code: SafetyFailure): string {
  return t()[SAFETY[code]];
}
