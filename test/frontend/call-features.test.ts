/**
 * The call engine's part in the interface: joining from the hair check, media state the others
 * see, renames, chat over the data channels and screen sharing. WebRTC is faked at the browser
 * boundary (fake-rtc.ts); the e2e tests prove the same in real Chromium.
 */
import { describe, expect, it, vi } from "vitest";
import { CHAT_BURST, CHAT_PER_SECOND } from "../../frontend/call/chat-budget";
import { encodeChat, MAX_CHAT_LENGTH } from "../../frontend/call/chat-log";
import { PIP_BITRATE_BPS, PIP_FRAME_RATE } from "../../frontend/call/media/bitrate";
import { LocalMedia } from "../../frontend/call/media/local-media";
import type { GetDisplayMedia } from "../../frontend/call/media/screen-share";
import { encodeTyping, TYPING_EXPIRES_MS, TYPING_RESEND_MS } from "../../frontend/call/typing";
import { say } from "../../frontend/i18n/problems";
import { ADA, BOB, roomCall, SELF, settle, welcome } from "./fake-room";
import { type FakeDataChannel, FakeRTCPeerConnection, fakeSdp, useFakeRTC } from "./fake-rtc";

/** A track that can be ended the way the browser ends one (unplugged, or "Stop sharing" in its bar). */
class Track extends EventTarget {
  enabled = true;
  stopped = false;
  contentHint = "";
  readonly id: string;
  constructor(readonly kind: "audio" | "video") {
    super();
    this.id = `${kind}-${Math.random()}`;
  }
  stop() {
    this.stopped = true;
  }
  getSettings() {
    return {};
  }
  endByBrowser() {
    this.dispatchEvent(new Event("ended"));
  }
}

const asTrack = (track: Track) => track as unknown as MediaStreamTrack;
const streamOf = (...tracks: Track[]) => new MediaStream(tracks.map(asTrack));

/** A call with media from a "hair check" (already started) and a screen that can be shared. */
async function hairCheckCall({ openSocket = true, now }: { openSocket?: boolean; now?: () => number } = {}) {
  const mic = new Track("audio");
  const camera = new Track("video");
  const screenTrack = new Track("video");
  const gum = vi.fn(async () => streamOf(mic, camera));
  const media = new LocalMedia({ getUserMedia: gum, mediaDevices: null, choice: {}, saveChoice: () => {} });
  await media.start();
  const getDisplayMedia = vi.fn<GetDisplayMedia>(async () => streamOf(screenTrack));
  const { call, socket, receive } = roomCall({
    media,
    getDisplayMedia,
    reconnect: { environment: null },
    ...(now && { now }),
  });
  call.connect();
  if (openSocket) socket().open();
  return { call, media, socket: socket(), receive, mic, camera, screenTrack, gum, getDisplayMedia };
}

function channelOf(pc: FakeRTCPeerConnection | undefined): FakeDataChannel {
  const channel = pc?.channels[0];
  if (!channel) throw new Error("no data channel");
  return channel;
}

function deliver(channel: FakeDataChannel, data: string) {
  channel.onmessage?.(new MessageEvent("message", { data }));
}

describe("a call joined from the hair check", () => {
  useFakeRTC();

  it("opens the socket at once but sends the join only when asked, with the name chosen", async () => {
    const { call, socket, gum } = await hairCheckCall();
    expect(socket.sentMessages()).toEqual([]);
    expect(call.status.value).toBe("connecting");

    call.join("Cy Twombly");
    call.join("twice");
    expect(socket.sentMessages()).toEqual([{ type: "join", name: "Cy Twombly" }]);
    expect(call.selfName.value).toBe("Cy Twombly");
    // The hair check's media is the call's: nothing is asked for again.
    expect(gum).toHaveBeenCalledTimes(1);
  });

  it("sends the join once the socket opens when Join was pressed first", async () => {
    const { call, socket } = await hairCheckCall({ openSocket: false });
    call.join("Cy");
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sentMessages()).toEqual([{ type: "join", name: "Cy" }]);
  });

  it("sends the hair check's tracks and tells the room what is on", async () => {
    const { call, media, socket, receive, mic, camera } = await hairCheckCall();
    media.setCameraOn(false);
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));

    expect(FakeRTCPeerConnection.created[0]?.senders.map((s) => s.track)).toEqual([mic, camera]);
    expect(camera.enabled).toBe(false);
    expect(socket.sentMessages().at(-1)).toEqual({ type: "state", audio: true, video: false, screen: false });
    expect(call.localStream.value?.getTracks()).toEqual([mic, camera]);
  });

  it("mutes by disabling the track (not stopping it) and tells everyone, once per change", async () => {
    const { call, socket, receive, mic } = await hairCheckCall();
    call.join();
    await receive(welcome());
    const sent = () => socket.sentMessages().filter((m) => (m as { type: string }).type === "state");

    call.setMicrophone(false);
    call.setMicrophone(false);
    expect(mic.enabled).toBe(false);
    expect(mic.stopped).toBe(false);
    call.setCamera(false);
    call.setMicrophone(true);
    expect(sent()).toEqual([
      { type: "state", audio: true, video: true, screen: false },
      { type: "state", audio: false, video: true, screen: false },
      { type: "state", audio: false, video: false, screen: false },
      { type: "state", audio: true, video: false, screen: false },
    ]);
  });

  it("push to talk: held while muted, the same track sends and the others see us unmuted; let go, muted again", async () => {
    const { call, socket, receive, mic } = await hairCheckCall();
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    await settle();
    const pc = FakeRTCPeerConnection.created.at(-1);
    const negotiation = () => [pc?.history.length, pc?.senders.length];
    const sent = () => socket.sentMessages().filter((m) => (m as { type: string }).type === "state");
    call.setMicrophone(false);
    const negotiatedBefore = negotiation();

    call.setPushToTalk(true);
    expect(mic.enabled).toBe(true);
    expect(call.media.pushToTalk.value).toBe(true);
    expect(call.media.micOn.value, "still muted: letting go mutes again").toBe(false);
    call.setPushToTalk(false);
    expect(mic.enabled).toBe(false);
    expect(call.media.pushToTalk.value).toBe(false);
    expect(sent().slice(-3)).toEqual([
      { type: "state", audio: false, video: true, screen: false },
      { type: "state", audio: true, video: true, screen: false },
      { type: "state", audio: false, video: true, screen: false },
    ]);
    expect(negotiation(), "no renegotiation: the track is enabled, not added").toEqual(negotiatedBefore);

    // Unmuted, holding changes nothing; and an unmute during a hold survives letting go.
    call.setMicrophone(true);
    const count = sent().length;
    call.setPushToTalk(true);
    call.setPushToTalk(false);
    expect([mic.enabled, sent().length]).toEqual([true, count]);
  });

  it("shows what each peer says about itself, from the welcome and from peer-state", async () => {
    const { call, receive } = await hairCheckCall();
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada", audio: false }]));
    await receive({ type: "peer-joined", peer: { id: BOB, name: "Bob" } });
    const view = () => call.peers.value.map(({ name, audio, video, screen }) => ({ name, audio, video, screen }));
    expect(view()).toEqual([
      { name: "Ada", audio: false, video: true, screen: false },
      { name: "Bob", audio: true, video: true, screen: false },
    ]);

    await receive({ type: "peer-state", peer: { id: BOB, name: "Bobby", audio: true, video: false, screen: false } });
    await receive({ type: "peer-state", peer: { id: ADA, name: "Ada", audio: true } });
    // Our own state comes back too; it changes nothing.
    await receive({ type: "peer-state", peer: { id: SELF, name: "Cy", audio: false } });
    expect(view()).toEqual([
      { name: "Ada", audio: true, video: true, screen: false },
      { name: "Bobby", audio: true, video: false, screen: false },
    ]);
  });

  it("renames: a valid name goes to the room, an invalid one is refused with a reason", async () => {
    const { call, socket, receive } = await hairCheckCall();
    call.join();
    await receive(welcome());

    expect(say(call.rename("   ")!)).toBe("Enter a name.");
    expect(say(call.rename("x".repeat(65))!)).toMatch(/at most 64/);
    expect(say(call.rename("Cy\u202E")!)).toBe(
      "A name must not contain characters that change the direction of text (U+202E).",
    );
    expect(say(call.rename("Ada (you)")!)).toMatch(/must not end with “\(you\)”/);
    expect((socket.sentMessages() as { type: string }[]).some((m) => m.type === "state" && "name" in m)).toBe(false);
    expect(call.rename("  Cy T. ")).toBeNull();
    expect(call.selfName.value).toBe("Cy T.");
    expect(socket.sentMessages().at(-1)).toEqual({ type: "state", name: "Cy T." });
  });

  it("chats over each peer's negotiated data channel, never through the room", async () => {
    const { call, socket, receive } = await hairCheckCall();
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    await receive({ type: "peer-joined", peer: { id: BOB, name: "Bob" } });
    const [toAda, toBob] = FakeRTCPeerConnection.created;
    const ada = channelOf(toAda);
    const bob = channelOf(toBob);
    expect(ada.label).toBe("chat");

    // Written before Bob's channel opened: it waits for it.
    ada.readyState = "open";
    const roomFrames = socket.sent.length;
    expect(call.sendChat("hello <b>all</b>")).toBeNull();
    expect(ada.sent).toEqual([encodeChat("hello <b>all</b>")]);
    expect(bob.sent).toEqual([]);
    bob.readyState = "open";
    bob.onopen?.();
    expect(bob.sent).toEqual([encodeChat("hello <b>all</b>")]);
    expect(socket.sent.length).toBe(roomFrames);

    expect(say(call.sendChat("  ")!)).toBe("Write a message first.");
    expect(say(call.sendChat("x".repeat(MAX_CHAT_LENGTH + 1))!)).toMatch(/at most 2,000/);
    expect(call.chat.messages.value.map((m) => [m.from, m.name, m.text])).toEqual([[null, "Cy", "hello <b>all</b>"]]);
  });

  it("takes chat messages from peers under the room's name for them, and drops anything else", async () => {
    const { call, receive } = await hairCheckCall();
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    const channel = channelOf(FakeRTCPeerConnection.created[0]);

    deliver(channel, JSON.stringify({ type: "chat", text: "hi", name: "Mallory" }));
    deliver(channel, "not json");
    deliver(channel, JSON.stringify({ type: "chat", text: "x".repeat(MAX_CHAT_LENGTH + 1) }));
    deliver(channel, encodeChat("hi from Ada"));
    expect(call.chat.messages.value.map((m) => [m.from, m.name, m.text])).toEqual([[ADA, "Ada", "hi from Ada"]]);
    expect(call.chat.unread.value).toBe(1);

    call.setChatOpen(true);
    expect(call.chat.unread.value).toBe(0);
    deliver(channel, encodeChat("seen at once"));
    expect(call.chat.unread.value).toBe(0);
  });

  it("says we are typing over the data channels, throttled, never through the room", async () => {
    let now = 1_000_000;
    const { call, socket, receive } = await hairCheckCall({ now: () => now });
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    const channel = channelOf(FakeRTCPeerConnection.created[0]);
    channel.readyState = "open";
    const roomFrames = socket.sent.length;

    call.setTyping(true);
    now += 1_000;
    call.setTyping(true);
    expect(channel.sent).toEqual([encodeTyping(true)]);
    now += TYPING_RESEND_MS;
    call.setTyping(true);
    expect(channel.sent).toEqual([encodeTyping(true), encodeTyping(true)]);
    call.setTyping(false);
    call.setTyping(false);
    expect(channel.sent.at(-1)).toBe(encodeTyping(false));
    expect(channel.sent).toHaveLength(3);
    // A message sent ends it on the other side by itself; the next keystroke is told at once.
    call.setTyping(true);
    expect(call.sendChat("hi")).toBeNull();
    call.setTyping(true);
    expect(channel.sent.slice(3)).toEqual([encodeTyping(true), encodeChat("hi"), encodeTyping(true)]);
    expect(socket.sent.length, "nothing of it went through the room").toBe(roomFrames);
  });

  it("shows who is typing until they stop, send, leave or go quiet, and ignores malformed frames", async () => {
    const { call, receive } = await hairCheckCall();
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    await receive({ type: "peer-joined", peer: { id: BOB, name: "Bob" } });
    const [fromAda, fromBob] = FakeRTCPeerConnection.created.map(channelOf);
    if (!fromAda || !fromBob) throw new Error("two channels");

    deliver(fromAda, JSON.stringify({ type: "typing", on: "yes" }));
    deliver(fromAda, JSON.stringify({ type: "typing", on: true, name: "Mallory" }));
    expect(call.chat.typing.value).toEqual([]);
    deliver(fromAda, encodeTyping(true));
    deliver(fromBob, encodeTyping(true));
    expect(call.chat.typing.value).toEqual([ADA, BOB]);
    deliver(fromAda, encodeChat("done"));
    expect(call.chat.typing.value).toEqual([BOB]);
    deliver(fromBob, encodeTyping(false));
    expect(call.chat.typing.value).toEqual([]);

    deliver(fromBob, encodeTyping(true));
    await receive({ type: "peer-left", id: BOB });
    expect(call.chat.typing.value).toEqual([]);

    // Gone quiet (a closed tab mid-sentence): it expires, unless told again in time.
    vi.useFakeTimers();
    deliver(fromAda, encodeTyping(true));
    vi.advanceTimersByTime(TYPING_EXPIRES_MS - 1_000);
    deliver(fromAda, encodeTyping(true));
    vi.advanceTimersByTime(TYPING_EXPIRES_MS - 1_000);
    expect(call.chat.typing.value).toEqual([ADA]);
    vi.advanceTimersByTime(1_000);
    expect(call.chat.typing.value).toEqual([]);
  });

  it("takes a flood of chat from one peer only up to a budget, with one notice per flood", async () => {
    let clock = 1_000_000;
    const { call, receive } = await hairCheckCall({ now: () => clock });
    call.join();
    await receive(
      welcome([
        { id: ADA, name: "Ada" },
        { id: BOB, name: "Bob" },
      ]),
    );
    const [fromAda, fromBob] = FakeRTCPeerConnection.created.map(channelOf);
    if (!fromAda || !fromBob) throw new Error("no channels");

    for (let n = 0; n < 500; n++) deliver(fromAda, encodeChat(`spam ${n}`));
    deliver(fromBob, encodeChat("Bob still gets through"));
    const log = () => call.chat.messages.value;
    expect(log().filter((m) => m.from === ADA && !m.notice)).toHaveLength(CHAT_BURST);
    expect(log().filter((m) => m.notice)).toEqual([
      expect.objectContaining({ from: ADA, name: "Ada", notice: "flood" }),
    ]);
    expect(log().at(-1)).toMatchObject({ from: BOB, text: "Bob still gets through" });

    // Once the budget has refilled, Ada is heard again; a second flood gets a second notice.
    clock += (CHAT_BURST / CHAT_PER_SECOND) * 1_000;
    deliver(fromAda, encodeChat("sorry"));
    expect(log().at(-1)).toMatchObject({ from: ADA, text: "sorry" });
    for (let n = 0; n < 100; n++) deliver(fromAda, encodeChat(`spam again ${n}`));
    expect(log().filter((m) => m.notice)).toHaveLength(2);
  });

  it("says who removed us, told apart from someone with the same name", async () => {
    const { call, receive } = await hairCheckCall();
    call.join();
    await receive(
      welcome([
        { id: ADA, name: "Alex" },
        { id: BOB, name: "Alex" },
      ]),
    );
    await receive({ type: "removed", by: "Alex", byId: BOB });
    expect(call.status.value).toBe("removed");
    expect(call.removedBy.value).toEqual({ name: "Alex", tag: BOB.slice(0, 4) });
  });

  it("shares the screen in the camera's place, without a new offer, and stops when the browser says so", async () => {
    const { call, socket, receive, camera, screenTrack, getDisplayMedia } = await hairCheckCall();
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    const pc = FakeRTCPeerConnection.created[0]!;
    const video = () => pc.senders.find((s) => s.track?.kind === "video")?.track;
    const offers = () => pc.history.filter((h) => h === "local offer").length;
    const before = offers();

    expect(await call.shareScreen()).toBeNull();
    expect(getDisplayMedia).toHaveBeenCalledTimes(1);
    expect(video()).toBe(screenTrack);
    expect(screenTrack.contentHint).toBe("detail");
    expect(call.screenStream.value?.getVideoTracks()).toEqual([screenTrack]);
    expect(socket.sentMessages().at(-1)).toEqual({ type: "state", audio: true, video: true, screen: true });

    // The browser's own "Stop sharing" bar.
    screenTrack.endByBrowser();
    expect(video()).toBe(camera);
    expect(call.screenStream.value).toBeNull();
    expect(socket.sentMessages().at(-1)).toEqual({ type: "state", audio: true, video: true, screen: false });
    await settle();
    expect(offers()).toBe(before);
  });

  it("sends the camera small beside a shared screen: one new sender on the first share, inactive when off", async () => {
    const { call, receive, camera, screenTrack } = await hairCheckCall();
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    await settle();
    const pc = FakeRTCPeerConnection.created[0]!;
    // Ada was there first: her offer, our answer, and the connection is negotiated and stable.
    await receive({ type: "signal", from: ADA, data: { description: { type: "offer", sdp: fakeSdp("AA:01") } } });
    await settle();
    expect(pc.history).toEqual(["remote offer", "local answer"]);
    const offers = () => pc.history.filter((h) => h === "local offer").length;
    const before = offers();
    expect(pc.senders).toHaveLength(2);

    expect(await call.shareScreen()).toBeNull();
    await settle();
    const [, main, pip] = pc.senders;
    expect([main?.track, pip?.track]).toEqual([screenTrack, camera]);
    expect(pc.transceivers.at(-1)).toBe("video:sendonly");
    // A thumbnail's bitrate and frame rate; the screen gets the rest of the share.
    expect(pip?.parameters.encodings[0]).toMatchObject({ maxBitrate: PIP_BITRATE_BPS, maxFramerate: PIP_FRAME_RATE });
    expect(offers(), "adding the camera's sender is one negotiation").toBe(before + 1);

    // Turned off mid-share: the sender goes quiet and inactive (the peer's track mutes); and back.
    call.setCameraWhileSharing(false);
    expect(pip?.track).toBeNull();
    call.setCameraWhileSharing(true);
    expect(pip?.track).toBe(camera);
    call.setCamera(false);
    expect(pip?.track, "a camera turned off is not sent as black frames").toBeNull();
    call.setCamera(true);

    // Stopped sharing: the camera is back in its place, and the small sender is kept, idle, for the next share.
    call.stopScreenShare();
    expect([main?.track, pip?.track]).toEqual([camera, null]);
    expect(await call.shareScreen()).toBeNull();
    expect(pc.senders, "no second small sender").toHaveLength(3);
    expect(pip?.track).toBe(camera);
    expect(localStorage.getItem("natter:camera-while-sharing")).toBe("on");
  });

  it("sends no camera beside the screen when turned off, and remembers that", async () => {
    const { call, receive } = await hairCheckCall();
    call.setCameraWhileSharing(false);
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    const pc = FakeRTCPeerConnection.created[0]!;
    expect(await call.shareScreen()).toBeNull();
    expect(pc.senders).toHaveLength(2);
    expect(localStorage.getItem("natter:camera-while-sharing")).toBe("off");
    const { call: later } = await hairCheckCall();
    expect(later.cameraWhileSharing.value).toBe(false);
    localStorage.clear();
  });

  it("switches the camera mid-call with replaceTrack and stops the old one", async () => {
    const { call, media, receive, camera, gum } = await hairCheckCall();
    call.join();
    await receive(welcome([{ id: ADA, name: "Ada" }]));
    const pc = FakeRTCPeerConnection.created[0]!;
    const usb = new Track("video");
    gum.mockImplementationOnce(async () => streamOf(usb));
    media.setCameraOn(false);

    expect(await call.useDevice("videoinput", "usb-camera")).toBeNull();
    expect(gum).toHaveBeenLastCalledWith({ video: expect.objectContaining({ deviceId: { exact: "usb-camera" } }) });
    expect(pc.senders.map((s) => s.track)).toContain(usb);
    expect(camera.stopped).toBe(true);
    // Switching keeps the camera's on/off state.
    expect(usb.enabled).toBe(false);
    expect(media.choice.value).toEqual({ videoinput: "usb-camera" });
  });

  it("turns the camera off at a locked door, and back on (with the same choices) once let in", async () => {
    const { call, media, receive, mic, camera, gum } = await hairCheckCall();
    media.setMicOn(false);
    call.join();
    await receive({ type: "denied", reason: "locked" });
    expect(call.status.value).toBe("outside");
    expect([mic.stopped, camera.stopped]).toEqual([true, true]);
    expect(call.localStream.value).toBeNull();

    const mic2 = new Track("audio");
    gum.mockImplementationOnce(async () => streamOf(mic2, new Track("video")));
    call.knock();
    await receive(welcome());
    expect(call.status.value).toBe("joined");
    expect(gum).toHaveBeenCalledTimes(2);
    expect(media.audioTrack.value).toBe(mic2);
    expect(mic2.enabled).toBe(false);
  });

  it("stops the hair check's tracks and any shared screen on leave", async () => {
    const { call, receive, mic, camera, screenTrack } = await hairCheckCall();
    call.join();
    await receive(welcome());
    await call.shareScreen();
    call.leave();
    expect([mic.stopped, camera.stopped, screenTrack.stopped]).toEqual([true, true, true]);
    expect(call.localStream.value).toBeNull();
  });
});
