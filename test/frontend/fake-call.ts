import { signal } from "@preact/signals";
import type { CallMode, LockInfo, Reaction } from "../../common/protocol";
import type { Access } from "../../frontend/call/access";
import type {
  CallHandle,
  CallOptions,
  CallStatus,
  GuessWarning,
  KnockRequest,
  LockNews,
  Peer,
} from "../../frontend/call/call";
import type { ChatEntry } from "../../frontend/call/chat-log";
import type { ShownReaction } from "../../frontend/call/etiquette";
import { CallEmitter } from "../../frontend/call/events";
import type { CallError, RoomNoticeCode } from "../../frontend/call/handle";
import { type Listening, ListeningChoices } from "../../frontend/call/listening";
import type { MediaProblem } from "../../frontend/call/media/acquire";
import type { DeviceKind } from "../../frontend/call/media/devices";
import type { NameLabel } from "../../frontend/call/names";
import type { Problem } from "../../frontend/i18n/problem";
import type { RoomEngine } from "../../frontend/pages/room/Room";
import { fakeMedia } from "./fake-media";

/** A call's state as plain writable signals: the views under test cannot tell it from the engine. */
export function fakeCall(
  initial: {
    peers?: Peer[];
    mediaError?: MediaProblem | null;
    status?: CallStatus;
    access?: Access;
    lock?: LockInfo | null;
    knocks?: KnockRequest[];
    media?: ReturnType<typeof fakeMedia>;
    canShareScreen?: boolean;
    callMode?: CallMode;
    mediaRoute?: CallMode;
  } = {},
) {
  /** Every control the view used, in order, so tests can assert what a click asked the engine to do. */
  const calls: unknown[][] = [];
  /** What `submitKey` and `lockRoom` answer: null accepts the key. */
  let keyProblem: Problem | null = null;
  const events = new CallEmitter();
  // The real choices: they are plain state with no I/O, and what the views apply is what to test.
  const listening = new ListeningChoices();
  const state = {
    status: signal<CallStatus>(initial.status ?? "joined"),
    callMode: signal<CallMode>(initial.callMode ?? "mesh"),
    mediaRoute: signal<CallMode>(initial.mediaRoute ?? "mesh"),
    selfId: signal<string | null>("0".repeat(32)),
    selfName: signal("Ada"),
    localStream: signal<MediaStream | null>(null),
    peers: signal<readonly Peer[]>(initial.peers ?? []),
    mediaError: signal<MediaProblem | null>(initial.mediaError ?? null),
    error: signal<CallError | null>(null),
    access: signal<Access>(initial.access ?? { state: "in" }),
    lock: signal<LockInfo | null>(initial.lock ?? null),
    lockNews: signal<LockNews | null>(null),
    knocks: signal<readonly KnockRequest[]>(initial.knocks ?? []),
    guessWarning: signal<GuessWarning | null>(null),
    roomNotice: signal<RoomNoticeCode | null>(null),
    removedBy: signal<NameLabel | null>(null),
    media: initial.media ?? fakeMedia(),
    screenStream: signal<MediaStream | null>(null),
    cameraWhileSharing: signal(true),
    canShareScreen: initial.canShareScreen ?? true,
    chat: {
      messages: signal<readonly ChatEntry[]>([]),
      unread: signal(0),
      open: signal(false),
      typing: signal<readonly string[]>([]),
    },
    listening: listening.choices,
    hands: signal<readonly string[]>([]),
    reactions: signal<readonly ShownReaction[]>([]),
    calls,
    leaves: 0,
    refuseKeysWith(problem: Problem | null) {
      keyProblem = problem;
    },
    leave() {
      state.leaves += 1;
      state.status.value = "left";
    },
    submitKey(key: string) {
      calls.push(["submitKey", key]);
      return keyProblem;
    },
    knock() {
      calls.push(["knock"]);
    },
    lockRoom(key: string, options?: { thenRemove?: string }) {
      calls.push(options ? ["lockRoom", key, options] : ["lockRoom", key]);
      return keyProblem;
    },
    unlockRoom() {
      calls.push(["unlockRoom"]);
    },
    admit(id: string) {
      calls.push(["admit", id]);
    },
    deny(id: string) {
      calls.push(["deny", id]);
    },
    removePeer(id: string) {
      calls.push(["removePeer", id]);
    },
    raiseHand() {
      calls.push(["raiseHand"]);
    },
    lowerHand(id?: string) {
      calls.push(id === undefined ? ["lowerHand"] : ["lowerHand", id]);
    },
    react(emoji: Reaction) {
      calls.push(["react", emoji]);
    },
    join(name?: string) {
      calls.push(["join", name]);
    },
    rename(name: string) {
      calls.push(["rename", name]);
      state.selfName.value = name;
      return keyProblem;
    },
    setMicrophone(on: boolean) {
      calls.push(["setMicrophone", on]);
      state.media.micOn.value = on;
    },
    // Tiles report their size as they lay out: not a person's act, so not in `calls`.
    setTileWidth() {},
    setListening(peerId: string, change: Partial<Listening>) {
      calls.push(["setListening", peerId, change]);
      return listening.set(peerId, change);
    },
    setCameraWhileSharing(on: boolean) {
      calls.push(["setCameraWhileSharing", on]);
      state.cameraWhileSharing.value = on;
    },
    setTyping(on: boolean) {
      calls.push(["setTyping", on]);
    },
    setPushToTalk(held: boolean) {
      calls.push(["setPushToTalk", held]);
      state.media.pushToTalk.value = held && !state.media.micOn.value;
    },
    setCamera(on: boolean) {
      calls.push(["setCamera", on]);
      state.media.cameraOn.value = on;
    },
    async shareScreen() {
      calls.push(["shareScreen"]);
      state.screenStream.value = new MediaStream();
      return null;
    },
    stopScreenShare() {
      calls.push(["stopScreenShare"]);
      state.screenStream.value = null;
    },
    async useDevice(kind: DeviceKind, deviceId: string) {
      calls.push(["useDevice", kind, deviceId]);
      return null;
    },
    sendChat(text: string) {
      calls.push(["sendChat", text]);
      return keyProblem;
    },
    setVerified(peerId: string, verified: boolean) {
      calls.push(["setVerified", peerId, verified]);
    },
    /** The engine's events: views subscribe with `on`, tests play the engine with `emit`. */
    events,
    on: events.on.bind(events),
    setChatOpen(open: boolean) {
      state.chat.open.value = open;
      if (open) state.chat.unread.value = 0;
    },
  };
  return state satisfies CallHandle;
}

export const peerA: Peer = { id: "a".repeat(32), name: "Grace", stream: null, audio: true, video: true, screen: false };
export const peerB: Peer = { id: "b".repeat(32), name: "Linus", stream: null, audio: true, video: true, screen: false };

/** Hands out fake media and fake calls, and remembers them, standing in for the camera and the WebRTC engine. */
export function fakeEngine({ leaveUrl = null }: { leaveUrl?: string | null } = {}) {
  /** Where the page went (location.assign), in order. */
  const wentTo: string[] = [];
  const started: { options: CallOptions; call: ReturnType<typeof fakeCall>; media: ReturnType<typeof fakeMedia> }[] =
    [];
  let nextMedia: ReturnType<typeof fakeMedia> | null = null;
  const engine: RoomEngine = {
    createMedia: () => {
      nextMedia = fakeMedia();
      return nextMedia;
    },
    connect: (options) => {
      const media = nextMedia ?? fakeMedia();
      const call = fakeCall({ status: "connecting", media });
      call.selfName.value = options.name;
      started.push({ options, call, media });
      return call;
    },
    leaveUrl: async () => leaveUrl,
    goTo: (url) => wentTo.push(url),
  };
  return { engine, started, wentTo };
}
