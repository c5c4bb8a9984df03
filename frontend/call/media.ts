/** What the browser gave us to send, and in words why it is less than camera plus microphone. */
export interface LocalMedia {
  stream: MediaStream | null;
  error: string | null;
}

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

const WATCH_ONLY = "you can still watch and listen.";
const AUDIO_ONLY = "others can hear you but not see you.";

/**
 * Asks for camera and microphone, then microphone alone, then nothing: a call you can only
 * watch is still better than no call, and people often have a headset but no camera.
 */
export async function acquireLocalMedia(
  getUserMedia: GetUserMedia | null = browserGetUserMedia(),
): Promise<LocalMedia> {
  if (!getUserMedia) {
    return {
      stream: null,
      error: `This browser cannot use a camera or microphone here (it needs a secure https:// page) — ${WATCH_ONLY}`,
    };
  }
  let firstError: unknown;
  try {
    return { stream: await getUserMedia({ audio: true, video: true }), error: null };
  } catch (error) {
    firstError = error;
  }
  try {
    return { stream: await getUserMedia({ audio: true }), error: describeCameraError(firstError) };
  } catch (error) {
    return { stream: null, error: describeMediaError(error) };
  }
}

function browserGetUserMedia(): GetUserMedia | null {
  // navigator.mediaDevices is missing on insecure origins (plain http other than localhost).
  const devices = typeof navigator === "undefined" ? undefined : navigator.mediaDevices;
  return devices?.getUserMedia ? (constraints) => devices.getUserMedia(constraints) : null;
}

/** getUserMedia rejects with DOMExceptions whose `name` is the only reliable part across browsers. */
function errorName(error: unknown): string {
  if (typeof error !== "object" || error === null || !("name" in error)) return "";
  return typeof error.name === "string" ? error.name : "";
}

/** Neither camera nor microphone: say why, and that the call still works one way. */
export function describeMediaError(error: unknown): string {
  switch (errorName(error)) {
    case "NotAllowedError":
    case "SecurityError":
      return "Camera and microphone are blocked — you can still watch and listen. Allow them in the browser's site settings and reload.";
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
export function describeCameraError(error: unknown): string {
  switch (errorName(error)) {
    case "NotAllowedError":
    case "SecurityError":
      return `The camera is blocked — ${AUDIO_ONLY} Allow it in the browser's site settings and reload.`;
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
