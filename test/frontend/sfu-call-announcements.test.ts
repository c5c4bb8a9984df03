/**
 * What SfuCall (frontend/call/sfu/sfu-call.ts) remembers of the room's sfu-tracks announcements.
 * The engine hands setMembers only the members whose key we hold (sfu-route.ts: a track is pulled
 * only once it can be decrypted), so a member missing from that list may well still be in the
 * call: its announcement must wait for its key, since the room announces each track once. Found
 * in the browser test of a call turning to SFU mode (sfu-call.test.ts): the newcomer got one
 * member's key before the other's, the list without the other dropped the other's announcement,
 * and the newcomer never pulled that member. Over the real SfuRequests and SfuSession; the
 * connection is the fake at the browser boundary (fake-sfu-rtc.ts).
 */
import { describe, expect, it, vi } from "vitest";
import type { ClientMessage } from "../../common/protocol";
import { SfuCall } from "../../frontend/call/sfu/sfu-call";
import { useFakeRTC } from "./fake-rtc";
import { FakeSfuPeerConnection } from "./fake-sfu-rtc";

const protection = { configuration: {}, protectSender() {}, protectReceiver() {} };
const member = (id: string) => ({ id, tileWidth: null, speaking: false, sharing: false });

describe("SfuCall and the room's announcements", () => {
  useFakeRTC({ fakeTimers: true, fake: FakeSfuPeerConnection });

  function call() {
    const sent: ClientMessage[] = [];
    const sfu = new SfuCall({ send: (m) => sent.push(m), iceServers: [], protection });
    const pulls = () => sent.flatMap((m) => (m.type === "sfu-pull" ? [`${m.from}: ${m.tracks.join(",")}`] : []));
    return { sfu, pulls };
  }

  it("pulls a member whose tracks were announced before its key arrived", async () => {
    const { sfu, pulls } = call();
    // A newcomer hears who publishes what at once; the keys come later, one member at a time.
    sfu.receive({ type: "sfu-tracks", id: "ada", tracks: ["mic", "cam"] });
    sfu.receive({ type: "sfu-tracks", id: "bo", tracks: ["mic", "cam"] });
    sfu.setMembers([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(pulls()).toEqual([]);

    sfu.setMembers([member("bo")]);
    await vi.advanceTimersByTimeAsync(0);
    expect(pulls()).toEqual(["bo: mic,cam"]);
    sfu.dispose();
  });

  it("forgets a member's announcement when the member leaves the call", async () => {
    const { sfu, pulls } = call();
    sfu.receive({ type: "sfu-tracks", id: "bo", tracks: ["cam"] });
    sfu.memberLeft("bo");
    // Back with the same id (a resume): the room announces its tracks again, only what it publishes then.
    sfu.setMembers([member("bo")]);
    await vi.advanceTimersByTimeAsync(0);
    expect(pulls()).toEqual([]);
    sfu.dispose();
  });
});
