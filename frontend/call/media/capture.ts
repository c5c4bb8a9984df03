import type { MediaProblem } from "./acquire";

const WATCH_ONLY = "you can still watch and listen.";
const AUDIO_ONLY = "others can hear you but not see you.";
const HOW_TO_ALLOW = "Allow them in the browser's site settings (the icon left of the address), then try again.";

/** One sentence for a problem: what is missing, what still works, and how to fix it when we can tell. */
export function describeProblem(problem: MediaProblem): string {
  if (problem.reason === "insecure") {
    return `This browser cannot use a camera or microphone here (it needs a secure https:// page) — ${WATCH_ONLY}`;
  }
  return problem.missing === "both" ? describeMediaError(problem.reason) : describeCameraError(problem.reason);
}

/** Neither camera nor microphone: say why, and that the call still works one way. */
export function describeMediaError(reason: string): string {
  switch (reason) {
    case "NotAllowedError":
    case "SecurityError":
      return `Camera and microphone are blocked — ${WATCH_ONLY} ${HOW_TO_ALLOW}`;
    case "NotFoundError":
    case "OverconstrainedError":
      return `No camera or microphone found — ${WATCH_ONLY}`;
    case "NotReadableError":
    case "AbortError":
      return `Your camera and microphone are in use by another app or could not start — ${WATCH_ONLY}`;
    default:
      return `Camera and microphone are unavailable — ${WATCH_ONLY}`;
  }
}

/** The microphone worked but the camera did not. */
export function describeCameraError(reason: string): string {
  switch (reason) {
    case "NotAllowedError":
    case "SecurityError":
      return `The camera is blocked — ${AUDIO_ONLY} Allow it in the browser's site settings (the icon left of the address), then try again.`;
    case "NotFoundError":
    case "OverconstrainedError":
      return `No camera found — ${AUDIO_ONLY}`;
    case "NotReadableError":
    case "AbortError":
      return `Your camera is in use by another app or could not start — ${AUDIO_ONLY}`;
    default:
      return `The camera is unavailable — ${AUDIO_ONLY}`;
  }
}

export function stopTracks(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
