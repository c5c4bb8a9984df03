/**
 * The call in a floating window while the person uses other apps. Document Picture-in-Picture
 * (Chromium) floats the call's own stage, live: its tiles, names and hands move into the window
 * and come back when it closes, so nothing is drawn twice and no sound plays twice. Where only
 * the video element's picture-in-picture exists (Safari, Firefox's own PiP aside), it floats
 * one video: the one on the stage, else the speaker's, else the first.
 */
import { type Problem, problem } from "../i18n/problem";

/** What this browser can float: the whole stage, one video, or nothing. */
export type PipSupport = "document" | "video" | null;

interface DocumentPictureInPicture {
  requestWindow(options?: { width?: number; height?: number }): Promise<Window>;
  readonly window: Window | null;
}

function documentPip(): DocumentPictureInPicture | undefined {
  return (globalThis as { documentPictureInPicture?: DocumentPictureInPicture }).documentPictureInPicture;
}

export function pipSupport(): PipSupport {
  if (typeof document === "undefined") return null;
  if (documentPip()) return "document";
  return document.pictureInPictureEnabled === true ? "video" : null;
}

/** A floating window that is open. Its onClosed callback runs once, however it closes (our button, its own ×). */
export interface Floating {
  /** "document": the tiles left the page for the window; "video": one video floats, the tiles stay. */
  readonly kind: "document" | "video";
  close(): void;
}

/**
 * Floats `stage` in a Document Picture-in-Picture window: the element moves there, with copies
 * of the page's stylesheets, and moves back to where it was when the window closes. Media
 * elements keep playing through the move (it happens within one task).
 */
async function floatDocument(stage: HTMLElement, onClosed: () => void): Promise<Floating> {
  const api = documentPip();
  if (!api) throw new Error("Document Picture-in-Picture is not available.");
  const { width, height } = stage.getBoundingClientRect();
  const win = await api.requestWindow({
    width: Math.round(Math.min(width, 640)),
    height: Math.round(Math.min(height, 400)),
  });
  for (const node of document.querySelectorAll('link[rel="stylesheet"], style')) {
    win.document.head.append(node.cloneNode(true));
  }
  win.document.body.classList.add("pip-body");
  const placeholder = document.createComment("the stage floats in a picture-in-picture window");
  const playing = [...stage.querySelectorAll("video")].filter((video) => !video.paused);
  // A browser may pause a video that changes documents: whatever played goes on playing.
  const resume = () => {
    for (const video of playing) if (video.paused) void video.play().catch(() => {});
  };
  stage.replaceWith(placeholder);
  win.document.body.append(stage);
  resume();
  let done = false;
  const restore = () => {
    if (done) return;
    done = true;
    placeholder.replaceWith(stage);
    resume();
    onClosed();
  };
  win.addEventListener("pagehide", restore, { once: true });
  return {
    kind: "document",
    close: () => {
      restore();
      win.close();
    },
  };
}

/** Floats one video with the element's own picture-in-picture. */
async function floatVideo(video: HTMLVideoElement, onClosed: () => void): Promise<Floating> {
  await video.requestPictureInPicture();
  video.addEventListener("leavepictureinpicture", onClosed, { once: true });
  return {
    kind: "video",
    close: () => {
      if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => {});
    },
  };
}

/** The video worth floating alone: the stage's, the speaker's (not ours), any remote one, our own. */
function videoToFloat(stage: HTMLElement): HTMLVideoElement | null {
  const pick = (selector: string) => stage.querySelector<HTMLVideoElement>(`${selector} video`);
  return (
    pick(".tile--spotlight") ??
    pick('.tile--active[data-testid="remote-tile"]') ??
    pick('[data-testid="remote-tile"]') ??
    pick("figure")
  );
}

/** Floats the call as well as this browser can; resolves to why it could not (for the page to word), or the window. */
export async function float(stage: HTMLElement, onClosed: () => void): Promise<Floating | Problem> {
  try {
    const support = pipSupport();
    if (support === "document") return await floatDocument(stage, onClosed);
    const video = support === "video" ? videoToFloat(stage) : null;
    if (video) return await floatVideo(video, onClosed);
    return problem("pipUnsupported");
  } catch (error) {
    console.warn("natter: picture-in-picture failed", error);
    return problem("pipFailed");
  }
}
