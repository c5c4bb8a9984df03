/**
 * Why switching to another camera or microphone failed, in the words the view shows (i18n
 * problems): apart from LocalMedia because it is a pure mapping from the browser's error names.
 */
import { type Problem, problem } from "../../i18n/problem";
import { errorName } from "./acquire";

export function describeSwitchError(kind: "audio" | "video", error: unknown): Problem {
  const name = errorName(error);
  if (kind === "audio") {
    if (name === "NotAllowedError" || name === "SecurityError") return problem("microphoneBlocked");
    if (name === "NotFoundError" || name === "OverconstrainedError") return problem("microphoneGone");
    return problem("microphoneBusy");
  }
  if (name === "NotAllowedError" || name === "SecurityError") return problem("cameraSwitchBlocked");
  if (name === "NotFoundError" || name === "OverconstrainedError") return problem("cameraGone");
  return problem("cameraBusy");
}
