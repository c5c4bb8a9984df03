/**
 * What ScreenShare.start() tells the person when the browser refuses to share: each refusal the
 * browser can give (a DOMException name) gets its own sentence, and a cancelled picker none.
 */
import { describe, expect, it } from "vitest";
import { ScreenShare } from "../../frontend/call/media/screen-share";
import { say } from "../../frontend/i18n/problems";

const refusing = (name: string) => new ScreenShare(() => Promise.reject(new DOMException("refused", name)));

describe("screen share refusals", () => {
  it("says there is nothing to share when the browser finds no screen (headless Firefox: NotFoundError)", async () => {
    const share = refusing("NotFoundError");
    expect(say((await share.start())!)).toBe("There is no screen or window here that could be shared.");
    expect(share.track.value).toBeNull();
  });

  it("says the capture itself failed when the system blocks it", async () => {
    expect(say((await refusing("NotReadableError").start())!)).toMatch(/^The screen could not be captured/);
  });

  it("says nothing when the person cancelled the picker", async () => {
    expect(await refusing("NotAllowedError").start()).toBeNull();
  });

  it("says that sharing failed for anything else", async () => {
    expect(say((await refusing("InvalidStateError").start())!)).toBe("Could not share the screen.");
  });

  it("says the browser cannot share when it has no getDisplayMedia", async () => {
    expect(say((await new ScreenShare(null).start())!)).toBe("This browser cannot share a screen.");
  });
});
