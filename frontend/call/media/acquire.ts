/**
 * Asking the browser for camera and microphone. Small and free of the view's words (a failure is a
 * code, put into words by i18n/problems.ts), because the page's first module asks early
 * (early-capture.ts) and everything it imports rides in the home page's bundle too.
 */
export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

/**
 * What we could not get, and why: `reason` is the DOMException name getUserMedia rejected with
 * (the only part that is reliable across browsers), or "insecure" when there is no getUserMedia.
 */
export interface MediaProblem {
  readonly missing: "both" | "camera";
  readonly reason: string;
}

/** What the browser gave us to send. */
export interface AcquiredMedia {
  stream: MediaStream | null;
  problem: MediaProblem | null;
}

/**
 * Asks for camera and microphone, then microphone alone, then nothing: a call you can only
 * watch is still better than no call, and people often have a headset but no camera.
 */
export async function acquireLocalMedia(
  getUserMedia: GetUserMedia | null = browserGetUserMedia(),
  constraints: { audio: MediaTrackConstraints | true; video: MediaTrackConstraints | true } = {
    audio: true,
    video: true,
  },
): Promise<AcquiredMedia> {
  if (!getUserMedia) return { stream: null, problem: { missing: "both", reason: "insecure" } };
  let firstError: unknown;
  try {
    return { stream: await getUserMedia(constraints), problem: null };
  } catch (error) {
    firstError = error;
  }
  try {
    return {
      stream: await getUserMedia({ audio: constraints.audio }),
      problem: { missing: "camera", reason: errorName(firstError) },
    };
  } catch (error) {
    return { stream: null, problem: { missing: "both", reason: errorName(error) } };
  }
}

export function browserGetUserMedia(): GetUserMedia | null {
  // navigator.mediaDevices is missing on insecure origins (plain http other than localhost).
  const devices = typeof navigator === "undefined" ? undefined : navigator.mediaDevices;
  return devices?.getUserMedia ? (constraints) => devices.getUserMedia(constraints) : null;
}

/** getUserMedia rejects with DOMExceptions whose `name` is the only reliable part across browsers. */
export function errorName(error: unknown): string {
  if (typeof error !== "object" || error === null || !("name" in error)) return "";
  return typeof error.name === "string" ? error.name : "";
}
