/**
 * SfuCall's pull retry (frontend/call/sfu/sfu-call.ts): a pull the room refuses is asked again
 * after PULL_RETRY_MS, and each further refusal doubles the wait, up to PULL_RETRY_MAX_MS, so a
 * track that keeps failing costs a request every half minute, not every two seconds. Over the real
 * SfuRequests and SfuSession; the connection is the fake at the browser boundary (fake-sfu-rtc.ts).
 */
import { describe, expect, it, vi } from "vitest";
import type { ClientMessage } from "../../common/protocol";
import { PULL_RETRY_MAX_MS, PULL_RETRY_MS, SfuCall } from "../../frontend/call/sfu/sfu-call";
import { useFakeRTC } from "./fake-rtc";
import { FakeSfuPeerConnection } from "./fake-sfu-rtc";

const protection = { configuration: {}, protectSender() {}, protectReceiver() {} };

describe("SfuCall's pull retry", () => {
  useFakeRTC({ fakeTimers: true, fake: FakeSfuPeerConnection });

  it("doubles the wait after each refusal, up to the maximum", async () => {
    // Each refusal is reported on the console; here they are expected.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const sent: ClientMessage[] = [];
    const call = new SfuCall({ send: (m) => sent.push(m), iceServers: [], protection });
    const pulls = () => sent.filter((m) => m.type === "sfu-pull").length;
    /** The room refuses the pull that is out, as it does for a track that is gone. */
    const refuse = () =>
      expect(call.receive({ type: "error", code: "unknown-track", message: "No such track." })).toBe(true);

    call.setMembers([{ id: "bo", tileWidth: null, speaking: false, sharing: false }]);
    call.receive({ type: "sfu-tracks", id: "bo", tracks: ["cam"] });
    await vi.advanceTimersByTimeAsync(0);
    expect(pulls()).toBe(1);

    // The waits between refusal and retry: 2 s, 4 s, 8 s, 16 s, then 30 s (the maximum) for good.
    const waits = [PULL_RETRY_MS, 4_000, 8_000, 16_000, PULL_RETRY_MAX_MS, PULL_RETRY_MAX_MS];
    for (const [i, wait] of waits.entries()) {
      refuse();
      await vi.advanceTimersByTimeAsync(wait - 100);
      expect(pulls(), `no retry ${wait - 100} ms after refusal ${i + 1}`).toBe(i + 1);
      await vi.advanceTimersByTimeAsync(100);
      expect(pulls(), `a retry ${wait} ms after refusal ${i + 1}`).toBe(i + 2);
    }
    expect(warn).toHaveBeenCalledTimes(waits.length);
    call.dispose();
  });
});
