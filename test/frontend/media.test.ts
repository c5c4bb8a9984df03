import { describe, expect, it } from "vitest";
import { acquireLocalMedia, type GetUserMedia } from "../../frontend/call/media/acquire";
import { mediaProblem as describeProblem } from "../../frontend/i18n/problems";

function domError(name: string): DOMException {
  return new DOMException("nope", name);
}

/** A getUserMedia whose answer depends only on whether video was asked for. */
function devices(result: { withVideo: MediaStream | DOMException; audioOnly: MediaStream | DOMException }) {
  const asked: MediaStreamConstraints[] = [];
  const getUserMedia: GetUserMedia = async (constraints) => {
    asked.push(constraints);
    const answer = constraints.video ? result.withVideo : result.audioOnly;
    if (answer instanceof DOMException) throw answer;
    return answer;
  };
  return { asked, getUserMedia };
}

describe("acquireLocalMedia", () => {
  it("takes camera and microphone when both are there", async () => {
    const stream = new MediaStream();
    const { asked, getUserMedia } = devices({ withVideo: stream, audioOnly: domError("NotFoundError") });

    expect(await acquireLocalMedia(getUserMedia)).toEqual({ stream, problem: null });
    expect(asked).toEqual([{ audio: true, video: true }]);
  });

  it("falls back to the microphone alone and says the camera is missing", async () => {
    const stream = new MediaStream();
    const { asked, getUserMedia } = devices({ withVideo: domError("NotFoundError"), audioOnly: stream });

    const media = await acquireLocalMedia(getUserMedia);
    expect(media.stream).toBe(stream);
    expect(media.problem).toEqual({ missing: "camera", reason: "NotFoundError" });
    expect(describeProblem(media.problem!)).toMatch(/^No camera found/);
    expect(asked).toEqual([{ audio: true, video: true }, { audio: true }]);
  });

  it("falls back to nothing when blocked, and says how to fix it", async () => {
    const { getUserMedia } = devices({
      withVideo: domError("NotAllowedError"),
      audioOnly: domError("NotAllowedError"),
    });

    const media = await acquireLocalMedia(getUserMedia);
    expect(media).toEqual({ stream: null, problem: { missing: "both", reason: "NotAllowedError" } });
    expect(describeProblem(media.problem!)).toBe(
      "Camera and microphone are blocked — you can still watch and listen. Allow them in the browser's site settings (the icon left of the address), then try again.",
    );
  });

  it("explains an insecure page, where browsers offer no getUserMedia at all", async () => {
    const media = await acquireLocalMedia(null);
    expect(media.stream).toBeNull();
    expect(describeProblem(media.problem!)).toMatch(/https/);
  });
});
