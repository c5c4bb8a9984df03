/**
 * The camera starts before the app does. On a room link the page's first module (frontend/early.ts)
 * asks for camera and microphone while the app's chunks are still downloading and parsing, so the
 * hair check's preview, and the tracks the call sends, are ready sooner. LocalMedia takes that answer
 * if it asks the same question (same constraints); any other answer, or one nobody takes, is let go,
 * so the camera light never stays on for nothing.
 */
import { type AcquiredMedia, acquireLocalMedia, browserGetUserMedia } from "./acquire";
import type { CaptureConstraints } from "./constraints";

/** Far longer than the app needs to reach the hair check; only a page that failed to load gets here. */
const UNCLAIMED_MS = 20_000;

let pending: { key: string; result: Promise<AcquiredMedia> } | null = null;

export function startEarlyCapture(constraints: CaptureConstraints): void {
  const getUserMedia = browserGetUserMedia();
  if (pending !== null || getUserMedia === null) return;
  const entry = { key: JSON.stringify(constraints), result: acquireLocalMedia(getUserMedia, constraints) };
  pending = entry;
  setTimeout(() => {
    if (pending !== entry) return;
    pending = null;
    letGo(entry.result);
  }, UNCLAIMED_MS);
}

/** The early answer, if one was asked for with these constraints; at most once. */
export function takeEarlyCapture(constraints: CaptureConstraints): Promise<AcquiredMedia> | null {
  const entry = pending;
  pending = null;
  if (entry === null) return null;
  if (entry.key === JSON.stringify(constraints)) return entry.result;
  letGo(entry.result);
  return null;
}

function letGo(result: Promise<AcquiredMedia>): void {
  void result.then(({ stream }) => {
    for (const track of stream?.getTracks() ?? []) track.stop();
  });
}
