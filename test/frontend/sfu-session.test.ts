/**
 * The browser's SFU session (frontend/call/sfu/sfu-session.ts) over the real SfuRequests: what it
 * sends the room for publish, pull, layer and close, how it applies the room's answers and offers,
 * and when it hands out pulled tracks (also after a pull that came without an offer). The
 * connection is a fake at the browser boundary (fake-sfu-rtc.ts): happy-dom has no WebRTC; real
 * negotiation and media through the stand-in are test/e2e/sfu-room.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClientMessage, ServerMessage } from "../../common/protocol";
import { SfuRequestError, SfuRequests } from "../../frontend/call/sfu/sfu-requests";
import {
  type SfuProtection,
  type SfuPulledTrack,
  SfuSession,
  SfuSessionDisposed,
} from "../../frontend/call/sfu/sfu-session";
import { FakeSfuPeerConnection, sdpOf } from "./fake-sfu-rtc";

const camera = { kind: "video", id: "camera" } as MediaStreamTrack;
const mic = { kind: "audio", id: "mic" } as MediaStreamTrack;

/** Lets pending promise callbacks run. */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function setUp(configuration?: RTCConfiguration, protect?: SfuProtection) {
  const sent: ClientMessage[] = [];
  const requests = new SfuRequests({ send: (m) => sent.push(m) });
  const handed: SfuPulledTrack[] = [];
  const session = new SfuSession({
    requests,
    onTrack: (t) => handed.push(t),
    ...(configuration && { configuration }),
    ...(protect && { protect }),
  });
  const pc = FakeSfuPeerConnection.created.at(-1)!;
  /** The message the session sends next (after `count` sent so far). */
  const sentAt = async (index: number) => {
    for (let i = 0; i < 20 && sent.length <= index; i++) await tick();
    const message = sent[index];
    if (!message) throw new Error(`nothing sent at ${index}; sent: ${JSON.stringify(sent)}`);
    return message;
  };
  const room = (message: ServerMessage) => expect(requests.receive(message)).toBe(true);
  return { sent, requests, handed, session, pc, sentAt, room };
}

describe("SfuSession", () => {
  beforeEach(() => {
    FakeSfuPeerConnection.created = [];
    vi.stubGlobal("RTCPeerConnection", FakeSfuPeerConnection);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("uses the ICE configuration it is given", () => {
    const configuration = { iceServers: [{ urls: "stun:stun.example" }] };
    const { pc } = setUp(configuration);
    expect(pc.config).toEqual(configuration);
  });

  it("publishes with an offer of sendonly transceivers and applies the SFU's answer", async () => {
    const { session, pc, sentAt, room } = setUp();
    const encodings = [{ rid: "f" }, { rid: "q", scaleResolutionDownBy: 4 }];
    const published = session.publish([
      { track: camera, trackName: "camera", sendEncodings: encodings },
      { track: mic, trackName: "mic" },
    ]);
    const request = await sentAt(0);
    expect(request).toEqual({
      type: "sfu-publish",
      offer: sdpOf(["0", "1"]),
      tracks: [
        { mid: "0", trackName: "camera" },
        { mid: "1", trackName: "mic" },
      ],
    });
    expect(pc.transceivers.map((t) => [t.direction, t.sender.track, t.sendEncodings])).toEqual([
      ["sendonly", camera, encodings],
      ["sendonly", mic, undefined],
    ]);
    room({ type: "sfu-published", answer: "v=0 sfu answer", tracks: [{ mid: "0", trackName: "camera" }] });
    room({ type: "error", code: "sfu-failed", message: "The SFU refused some tracks: mic: no" });
    expect(await published).toEqual([{ mid: "0", trackName: "camera" }]);
    expect(pc.history).toEqual(["local offer", "remote answer"]);
    expect(pc.remoteDescription).toEqual({ type: "answer", sdp: "v=0 sfu answer" });
  });

  it("rolls a refused publish back, so the next offer carries only what was published", async () => {
    const { session, pc, sentAt, room } = setUp();
    const refused = session.publish([{ track: camera, trackName: "camera" }]);
    await sentAt(0);
    room({ type: "error", code: "too-many-tracks", message: "no" });
    const error = await refused.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SfuRequestError);
    expect(error).toMatchObject({ code: "too-many-tracks", request: "sfu-publish" });
    expect(pc.signalingState).toBe("stable");
    expect(pc.history).toEqual(["local offer", "rollback"]);
    expect(pc.transceivers[0]?.direction).toBe("stopped");

    const next = session.publish([{ track: mic, trackName: "mic" }]);
    expect(await sentAt(1)).toMatchObject({ type: "sfu-publish", tracks: [{ mid: "1", trackName: "mic" }] });
    room({ type: "sfu-published", answer: "v=0 sfu answer", tracks: [{ mid: "1", trackName: "mic" }] });
    expect(await next).toEqual([{ mid: "1", trackName: "mic" }]);
  });

  it("pulls: answers the SFU's offer through the room, then hands out the track on its mid", async () => {
    const { session, pc, handed, sentAt, room } = setUp();
    const pulled = session.pull("peer-a", ["camera"]);
    expect(await sentAt(0)).toEqual({ type: "sfu-pull", from: "peer-a", tracks: ["camera"] });
    room({ type: "sfu-pulled", offer: sdpOf(["0"]), tracks: [{ from: "peer-a", trackName: "camera", mid: "0" }] });
    expect(await sentAt(1)).toEqual({ type: "sfu-renegotiate", answer: sdpOf(["0"]) });
    await tick();
    expect(handed).toEqual([]); // Not before the SFU has the answer.
    room({ type: "sfu-renegotiated" });
    const track = pc.transceivers.find((t) => t.mid === "0")?.receiver.track;
    const expected = [{ from: "peer-a", trackName: "camera", mid: "0", track }];
    expect(await pulled).toEqual(expected);
    expect(handed).toEqual(expected);
    expect(pc.history).toEqual(["remote offer", "local answer"]);
  });

  it("keeps tracks pulled without an offer until a later offer brings them, and hands each out once", async () => {
    const { session, handed, sentAt, room } = setUp();
    const first = session.pull("peer-a", ["camera"]);
    await sentAt(0);
    room({ type: "sfu-pulled", tracks: [{ from: "peer-a", trackName: "camera", mid: "4" }] });
    expect(await first).toEqual([]);
    expect(handed).toEqual([]);

    const second = session.pull("peer-b", ["screen"]);
    expect(await sentAt(1)).toEqual({ type: "sfu-pull", from: "peer-b", tracks: ["screen"] });
    room({
      type: "sfu-pulled",
      offer: sdpOf(["4", "5"]),
      tracks: [{ from: "peer-b", trackName: "screen", mid: "5" }],
    });
    await sentAt(2);
    room({ type: "sfu-renegotiated" });
    const byMid = (t: SfuPulledTrack) => [t.mid, t.from, t.trackName];
    expect((await second).map(byMid)).toEqual([
      ["4", "peer-a", "camera"],
      ["5", "peer-b", "screen"],
    ]);
    expect(handed.map(byMid)).toEqual([
      ["4", "peer-a", "camera"],
      ["5", "peer-b", "screen"],
    ]);

    // A later offer hands out only what is new.
    const third = session.pull("peer-c", ["camera"]);
    await sentAt(3);
    room({
      type: "sfu-pulled",
      offer: sdpOf(["4", "5", "6"]),
      tracks: [{ from: "peer-c", trackName: "camera", mid: "6" }],
    });
    await sentAt(4);
    room({ type: "sfu-renegotiated" });
    expect((await third).map(byMid)).toEqual([["6", "peer-c", "camera"]]);
    expect(handed).toHaveLength(3);
  });

  it("runs one operation at a time: a pull waits until the publish before it has its answer applied", async () => {
    const { session, pc, sent, sentAt, room } = setUp();
    const published = session.publish([{ track: camera, trackName: "camera" }]);
    const pulled = session.pull("peer-a", ["camera"]);
    await sentAt(0);
    for (let i = 0; i < 5; i++) await tick();
    expect(sent.map((m) => m.type)).toEqual(["sfu-publish"]);
    room({ type: "sfu-published", answer: "v=0 sfu answer", tracks: [{ mid: "0", trackName: "camera" }] });
    expect(await sentAt(1)).toMatchObject({ type: "sfu-pull" });
    expect(pc.signalingState).toBe("stable");
    room({ type: "sfu-pulled", offer: sdpOf(["0", "1"]), tracks: [{ from: "peer-a", trackName: "camera", mid: "1" }] });
    await sentAt(2);
    room({ type: "sfu-renegotiated" });
    await published;
    expect((await pulled).map((t) => t.mid)).toEqual(["1"]);
    expect(pc.history).toEqual(["local offer", "remote answer", "remote offer", "local answer"]);
  });

  it("closes with an offer once negotiated, and applies the SFU's answer", async () => {
    const { session, pc, sentAt, room } = setUp();
    const published = session.publish([
      { track: camera, trackName: "camera" },
      { track: mic, trackName: "mic" },
    ]);
    await sentAt(0);
    room({
      type: "sfu-published",
      answer: "v=0 a",
      tracks: [
        { mid: "0", trackName: "camera" },
        { mid: "1", trackName: "mic" },
      ],
    });
    await published;
    const closed = session.close(["0"]);
    expect(await sentAt(1)).toEqual({ type: "sfu-close", mids: ["0"], offer: sdpOf(["1"]) });
    expect(pc.transceivers[0]?.direction).toBe("stopped");
    room({ type: "sfu-closed", mids: ["0"], answer: "v=0 b" });
    expect(await closed).toEqual(["0"]);
    expect(pc.signalingState).toBe("stable");
    expect(pc.remoteDescription).toEqual({ type: "answer", sdp: "v=0 b" });
  });

  it("closes without an offer before anything was negotiated, and never hands out a track it closed", async () => {
    const { session, handed, sentAt, room } = setUp();
    const pulled = session.pull("peer-a", ["camera", "mic"]);
    await sentAt(0);
    room({
      type: "sfu-pulled",
      tracks: [
        { from: "peer-a", trackName: "camera", mid: "2" },
        { from: "peer-a", trackName: "mic", mid: "3" },
      ],
    });
    await pulled;
    const closed = session.close(["2"]);
    expect(await sentAt(1)).toEqual({ type: "sfu-close", mids: ["2"] });
    room({ type: "sfu-closed", mids: ["2"] });
    expect(await closed).toEqual(["2"]);

    const later = session.pull("peer-b", ["camera"]);
    await sentAt(2);
    room({
      type: "sfu-pulled",
      offer: sdpOf(["2", "3", "4"]),
      tracks: [{ from: "peer-b", trackName: "camera", mid: "4" }],
    });
    await sentAt(3);
    room({ type: "sfu-renegotiated" });
    await later;
    expect(handed.map((t) => t.mid)).toEqual(["3", "4"]);
  });

  it("asks for a simulcast layer of a pulled track", async () => {
    const { session, sentAt, room } = setUp();
    const set = session.setLayer("3", "q");
    expect(await sentAt(0)).toEqual({ type: "sfu-layer", mid: "3", layer: "q" });
    room({ type: "sfu-layer-set", mid: "3", layer: "q" });
    expect(await set).toBe("q");
  });

  it("closes the connection on dispose; later operations fail without sending anything", async () => {
    const { session, pc, sent } = setUp();
    session.dispose();
    expect(pc.connectionState).toBe("closed");
    await expect(session.pull("peer-a", ["camera"])).rejects.toBeInstanceOf(SfuSessionDisposed);
    await expect(session.publish([{ track: camera, trackName: "camera" }])).rejects.toBeInstanceOf(SfuSessionDisposed);
    expect(sent).toEqual([]);
  });

  describe("with end-to-end encryption", () => {
    /** Writes each hook call into the connection's own history, so the test sees them in order with its descriptions. */
    const protection = (configuration?: RTCConfiguration): SfuProtection => {
      const history = () => FakeSfuPeerConnection.created.at(-1)!.history;
      return {
        ...(configuration && { configuration }),
        sender: (sender) => history().push(`protect sender ${sender.track?.id}`),
        receiver: (receiver, from) => history().push(`protect receiver ${receiver.track.id} from ${from}`),
      };
    };

    it("adds what the transforms need to the ICE configuration", () => {
      const { pc } = setUp(
        { iceServers: [{ urls: "stun:stun.example" }] },
        protection({ encodedInsertableStreams: true } as RTCConfiguration),
      );
      expect(pc.config).toEqual({ iceServers: [{ urls: "stun:stun.example" }], encodedInsertableStreams: true });
    });

    it("protects each published sender before the offer that carries it", async () => {
      const { session, pc, sentAt, room } = setUp(undefined, protection());
      const published = session.publish([
        { track: camera, trackName: "camera" },
        { track: mic, trackName: "mic" },
      ]);
      await sentAt(0);
      room({
        type: "sfu-published",
        answer: "v=0 a",
        tracks: [
          { mid: "0", trackName: "camera" },
          { mid: "1", trackName: "mic" },
        ],
      });
      await published;
      expect(pc.history).toEqual(["protect sender camera", "protect sender mic", "local offer", "remote answer"]);
    });

    it("protects each pulled receiver once, after the SFU's offer and before the answer, as from its publisher", async () => {
      const { session, pc, sent, sentAt, room } = setUp(undefined, protection());
      const first = session.pull("peer-a", ["camera"]);
      await sentAt(0);
      room({ type: "sfu-pulled", offer: sdpOf(["0"]), tracks: [{ from: "peer-a", trackName: "camera", mid: "0" }] });
      await sentAt(1);
      const receiverOf = (mid: string) => pc.transceivers.find((t) => t.mid === mid)!.receiver.track.id;
      // The answer exists only after the transform is on, and goes to the room only then.
      expect(pc.history).toEqual(["remote offer", `protect receiver ${receiverOf("0")} from peer-a`, "local answer"]);
      expect(sent.map((m) => m.type)).toEqual(["sfu-pull", "sfu-renegotiate"]);
      room({ type: "sfu-renegotiated" });
      await first;

      // A later offer that still carries mid 0 (and one m-section nobody pulled) protects only the new pull.
      const second = session.pull("peer-b", ["screen"]);
      await sentAt(2);
      room({
        type: "sfu-pulled",
        offer: sdpOf(["0", "1", "2"]),
        tracks: [{ from: "peer-b", trackName: "screen", mid: "2" }],
      });
      await sentAt(3);
      room({ type: "sfu-renegotiated" });
      await second;
      expect(pc.history.slice(3)).toEqual([
        "remote offer",
        `protect receiver ${receiverOf("2")} from peer-b`,
        "local answer",
      ]);
    });

    it("protects a track pulled without an offer when a later offer brings it", async () => {
      const { session, pc, sentAt, room } = setUp(undefined, protection());
      const first = session.pull("peer-a", ["camera"]);
      await sentAt(0);
      room({ type: "sfu-pulled", tracks: [{ from: "peer-a", trackName: "camera", mid: "4" }] });
      await first;
      expect(pc.history).toEqual([]);
      const second = session.pull("peer-b", ["camera"]);
      await sentAt(1);
      room({
        type: "sfu-pulled",
        offer: sdpOf(["4", "5"]),
        tracks: [{ from: "peer-b", trackName: "camera", mid: "5" }],
      });
      await sentAt(2);
      room({ type: "sfu-renegotiated" });
      await second;
      const receiverOf = (mid: string) => pc.transceivers.find((t) => t.mid === mid)!.receiver.track.id;
      expect(pc.history).toEqual([
        "remote offer",
        `protect receiver ${receiverOf("4")} from peer-a`,
        `protect receiver ${receiverOf("5")} from peer-b`,
        "local answer",
      ]);
    });
  });
});
