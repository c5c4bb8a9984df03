/**
 * The contract between the call engine and the views: what a view may read (signals, read-only),
 * what it may ask (controls), and the events it may follow. Tests hand views a fake built from
 * plain signals (test/frontend/fake-call.ts); the engine is call.ts.
 */

import type { ReadonlySignal } from "@preact/signals-core";
import type { CallMode, LockInfo, Reaction } from "../../common/protocol";
import type { Problem } from "../i18n/problem";
import type { Access } from "./access";
import type { ChatState } from "./chat-log";
import type { GuessWarning, KnockRequest, LockNews } from "./door";
import type { EtiquetteState } from "./etiquette";
import type { CallEvents } from "./events";
import type { RoomLinkOptions } from "./link/room-link";
import type { SignalingOptions } from "./link/signaling";
import type { Listening } from "./listening";
import type { GetUserMedia, MediaProblem } from "./media/acquire";
import type { DeviceKind } from "./media/devices";
import type { LocalMediaHandle, LocalMediaState } from "./media/local-media-handle";
import type { GetDisplayMedia } from "./media/screen-share";
import type { NameLabel } from "./names";
import type { Peer } from "./roster";
import type { SfuModules } from "./sfu/sfu-modules";
import type { CallStatus } from "./status";

export type { CallStatus } from "./status";

/** Why a call stopped, as a code the page words in its language. */
export type CallError =
  | "unreachable"
  | "full"
  | "replaced"
  | "insecure"
  | "connect"
  | "refused"
  | "room-refused"
  | "lost";

/** What the room refused a member's click with (it says so for a few seconds). */
export type RoomNoticeCode = "busy" | "lock-cooldown" | "rate-limited" | "too-many-reactions";

/** Everything a view needs to draw a call: read-only signals, so views cannot change the engine behind its back. */
export interface CallState {
  readonly status: ReadonlySignal<CallStatus>;
  /**
   * How the room says the call's media travels: "mesh" (browser to browser, and always from a
   * room without SFU mode) or "sfu" (through Cloudflare's SFU), as the room announces it; the
   * engine moves the media to match (sfu-route.ts).
   */
  readonly callMode: ReadonlySignal<CallMode>;
  /**
   * How this page's media really travels, which is what a view may tell the person: "sfu" only
   * once the engine sends and receives through the SFU with every frame encrypted in the browser.
   * The room's word (callMode) is not enough: a room that lies must not make the page claim a
   * route it does not take.
   */
  readonly mediaRoute: ReadonlySignal<CallMode>;
  readonly selfId: ReadonlySignal<string | null>;
  readonly selfName: ReadonlySignal<string>;
  readonly localStream: ReadonlySignal<MediaStream | null>;
  readonly peers: ReadonlySignal<readonly Peer[]>;
  /** Why we send less than camera and microphone; the call goes on regardless. */
  readonly mediaError: ReadonlySignal<MediaProblem | null>;
  /** Why the call stopped (status "error"). */
  readonly error: ReadonlySignal<CallError | null>;
  /** Where we stand at the door of a locked room; "in" once we are in the call. */
  readonly access: ReadonlySignal<Access>;
  /** Whether the room is locked and by whom, as members see it. */
  readonly lock: ReadonlySignal<LockInfo | null>;
  readonly lockNews: ReadonlySignal<LockNews | null>;
  /** People outside asking to be let in, oldest first. */
  readonly knocks: ReadonlySignal<readonly KnockRequest[]>;
  readonly guessWarning: ReadonlySignal<GuessWarning | null>;
  /** What the room just refused us (a lock too soon after the last, the room busy), by its code, for a few seconds. */
  readonly roomNotice: ReadonlySignal<RoomNoticeCode | null>;
  /**
   * Who removed us (status "removed"), when the room said so: labelled as they were in the call
   * at that moment (with a tag if they shared a name), since the call is gone by the time it shows.
   */
  readonly removedBy: ReadonlySignal<NameLabel | null>;
  /** Our camera and microphone: the hair check's, carried into the call. */
  readonly media: LocalMediaState;
  /** Our shared screen while we share it. */
  readonly screenStream: ReadonlySignal<MediaStream | null>;
  readonly canShareScreen: boolean;
  readonly chat: ChatState;
  /** Whether our camera goes beside our shared screen, as a thumbnail, for the others (a setting). */
  readonly cameraWhileSharing: ReadonlySignal<boolean>;
  /** How we listen to and watch each person, for us only (listening.ts); absent ids are as sent. */
  readonly listening: ReadonlySignal<ReadonlyMap<string, Listening>>;
  /** Whose hand is up (peer ids, ours included), in the order the hands went up. */
  readonly hands: EtiquetteState["hands"];
  /** Reactions floating over tiles right now. */
  readonly reactions: EtiquetteState["reactions"];
}

/** What a view may ask of a call. Methods that take a key return why it cannot be used, or null. */
export interface CallControls {
  leave(): void;
  /** Tries a key at a locked room's door. */
  submitKey(key: string): Problem | null;
  /** Asks the people inside a locked room to let us in. */
  knock(): void;
  /** Locks the room; with `thenRemove`, removes that peer once the lock is in place. */
  lockRoom(key: string, options?: { thenRemove?: string }): Problem | null;
  unlockRoom(): void;
  admit(knockId: string): void;
  deny(knockId: string): void;
  removePeer(peerId: string): void;
  /** Asks to be let in, as `name`: sent the moment the socket is open, which it usually is already (see connect). */
  join(name?: string): void;
  /** Changes our name for everyone; returns why it cannot be used, or null. */
  rename(name: string): Problem | null;
  setMicrophone(on: boolean): void;
  setCamera(on: boolean): void;
  /** Push to talk: while `held`, a muted microphone sends; the others see it unmuted meanwhile. */
  setPushToTalk(held: boolean): void;
  /** Opens the browser's screen picker; resolves to why sharing failed, or null. */
  shareScreen(): Promise<Problem | null>;
  stopScreenShare(): void;
  /** Switches camera, microphone or speaker; resolves to why it failed, or null. */
  useDevice(kind: DeviceKind, deviceId: string): Promise<Problem | null>;
  /** Sends a chat message to everyone in the call; returns why it cannot be sent, or null. */
  sendChat(text: string): Problem | null;
  setChatOpen(open: boolean): void;
  /** Whether we are writing a chat message; the others see "<name> is typing…". */
  setTyping(on: boolean): void;
  /** Turns sending our camera beside a shared screen on or off (remembered on this device). */
  setCameraWhileSharing(on: boolean): void;
  /** Marks (or unmarks) the safety code the connection to `peerId` shows now as verified by the people. */
  setVerified(peerId: string, verified: boolean): void;
  /** Mutes, sets the volume of, or hides the video of `peerId` for us only; returns why not, or null. */
  setListening(peerId: string, change: Partial<Listening>): Problem | null;
  /** How wide `peerId`'s picture is drawn, in device pixels (null: not drawn): in SFU mode, the layer pulled follows. */
  setTileWidth(peerId: string, width: number | null): void;
  raiseHand(): void;
  /** Lowers our own hand, or (with an id) someone else's once they have spoken. */
  lowerHand(peerId?: string): void;
  /** Sends one of the offered reactions to everyone; the room drops a flood. */
  react(emoji: Reaction): void;
}

/** What a view needs from an engine; tests hand in a fake one built from plain signals. */
export type CallHandle = CallState & CallControls & CallEvents;

export interface CallOptions {
  room: string;
  name: string;
  /** Overrides the ICE servers the room hands out with its welcome. */
  iceServers?: RTCIceServer[];
  /**
   * Defaults to the room's WebSocket on the host that served the page, addressed by the room's
   * id (a hash of `room`, made here: the name itself never leaves the page).
   */
  url?: string;
  /**
   * Camera and microphone from the hair check, already previewed: the call sends these very
   * tracks and stops them when it ends. Without it the call asks for media once it is let in.
   */
  media?: LocalMediaHandle;
  /** When the call asks for media itself: defaults to the browser's; null means there is no way to capture. */
  getUserMedia?: GetUserMedia | null;
  /** Defaults to the browser's; null means screens cannot be shared. */
  getDisplayMedia?: GetDisplayMedia | null;
  signaling?: SignalingOptions;
  /** Back-off, randomness and the online/visibility events of reconnecting; replaceable in tests. */
  reconnect?: Omit<RoomLinkOptions, "signaling">;
  /** The clock for throttle deadlines and warnings; replaceable in tests. */
  now?: () => number;
  /** Loads SFU mode's modules (sfu/sfu-modules.ts) when a call turns to SFU mode; replaceable in tests. */
  loadSfu?: () => Promise<SfuModules>;
}
