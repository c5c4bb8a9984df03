import { batch, computed, effect, type ReadonlySignal, type Signal, signal } from "@preact/signals-core";
import { CloseCode } from "../../common/close-codes";
import type { ClientMessage, IceConfig, LockInfo, PeerInfo, ServerMessage, SignalData } from "../../common/protocol";
import { type Access, accessAfterDenial } from "./access";
import { ChatBudget } from "./chat-budget";
import { ChatLog, type ChatState, chatTextProblem, encodeChat, parseChat } from "./chat-log";
import { displayNameProblem } from "./display-name";
import { iceRefreshDelay } from "./ice-config";
import { RoomLink, type RoomLinkOptions } from "./link/room-link";
import { roomSocketUrlFor, type SignalingOptions } from "./link/signaling";
import { describeProblem, type GetUserMedia } from "./media/capture";
import type { DeviceKind } from "./media/devices";
import { LocalMedia, type LocalMediaHandle, type LocalMediaState } from "./media/local-media";
import { type GetDisplayMedia, ScreenShare } from "./media/screen-share";
import { labelFor, labelPeople, type NameLabel } from "./names";
import { PeerConnection } from "./peer/peer-connection";
import type { ConnectionQuality } from "./peer/quality";
import type { SafetyState } from "./peer/safety-exchange";
import { roomKeyProblem } from "./room-key";

/**
 * "outside": the room is locked and has not let us in (yet); the socket stays open so we can
 * offer a key or knock. "removed": someone in the call removed us. "reconnecting": the room's
 * socket dropped after we were in; peers and media carry on while it comes back.
 */
export type CallStatus = "connecting" | "outside" | "joined" | "reconnecting" | "removed" | "left" | "error";

export interface Peer {
  readonly id: string;
  readonly name: string;
  /** Null until the first remote track arrives. */
  readonly stream: MediaStream | null;
  /**
   * What the peer says about its media (peer-state): microphone on, camera on, sharing a screen
   * (sent in place of the camera). Until it says, a peer counts as having both on.
   */
  readonly audio: boolean;
  readonly video: boolean;
  readonly screen: boolean;
  /** How good the connection to this peer is (a signal: only the badge redraws every poll). */
  readonly quality?: ReadonlySignal<ConnectionQuality | null>;
  /** The connection's safety code, to compare aloud: waiting, the code, or failed (safety-exchange.ts). */
  readonly safetyCode?: ReadonlySignal<SafetyState>;
}

/** Someone outside a locked room asking to be let in. */
export interface KnockRequest {
  readonly id: string;
  readonly name: string;
  /** The room says the name looks like that of someone inside (or of another knocker). */
  readonly nameInUse?: boolean;
}

/** A lock or unlock that just happened, for announcing it (`lock` alone cannot say who unlocked). */
export interface LockNews {
  readonly locked: boolean;
  readonly by: string;
  /** Who, by peer id: two people may share the name. */
  readonly byId: string;
}

/** Someone outside tried a wrong key: members are told, never affected. */
export interface GuessWarning {
  /** Wrong keys in a row so far. */
  readonly failures: number;
  /** When we heard (ms since epoch). */
  readonly at: number;
}

/**
 * How long a peer missing from the welcome after a reconnect keeps its tile. When the room
 * restarts (a deploy), it forgets everyone and each member resumes on its own back-off (up to
 * 8 s), plus a reload of the Durable Object: a little longer than the room's 20 s grace.
 */
export const PEER_RETURN_GRACE_MS = 25_000;

/** How long a wrong-key warning stays up: long enough to read, short enough not to nag. */
export const GUESS_WARNING_MS = 10_000;
/** How long a refusal from the room (a lock too soon, the room busy) stays on screen. */
export const ROOM_NOTICE_MS = 6_000;
/** Refusals of something a member asked for, which the member should hear about; other errors are races. */
const TOLD_ERRORS: ReadonlySet<string> = new Set(["lock-cooldown", "busy", "rate-limited"]);

/** Everything a view needs to draw a call: read-only signals, so views cannot change the engine behind its back. */
export interface CallState {
  readonly status: ReadonlySignal<CallStatus>;
  readonly selfId: ReadonlySignal<string | null>;
  readonly selfName: ReadonlySignal<string>;
  readonly localStream: ReadonlySignal<MediaStream | null>;
  readonly peers: ReadonlySignal<readonly Peer[]>;
  /** Why we send less than camera and microphone; the call goes on regardless. */
  readonly mediaError: ReadonlySignal<string | null>;
  /** Why the call stopped (status "error"). */
  readonly error: ReadonlySignal<string | null>;
  /** Where we stand at the door of a locked room; "in" once we are in the call. */
  readonly access: ReadonlySignal<Access>;
  /** Whether the room is locked and by whom, as members see it. */
  readonly lock: ReadonlySignal<LockInfo | null>;
  readonly lockNews: ReadonlySignal<LockNews | null>;
  /** People outside asking to be let in, oldest first. */
  readonly knocks: ReadonlySignal<readonly KnockRequest[]>;
  readonly guessWarning: ReadonlySignal<GuessWarning | null>;
  /** What the room just refused us, in its words (a lock too soon after the last, the room busy), for a few seconds. */
  readonly roomNotice: ReadonlySignal<string | null>;
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
}

/** What a view may ask of a call. Methods that take a key return why it cannot be used, or null. */
export interface CallControls {
  leave(): void;
  /** Tries a key at a locked room's door. */
  submitKey(key: string): string | null;
  /** Asks the people inside a locked room to let us in. */
  knock(): void;
  /** Locks the room; with `thenRemove`, removes that peer once the lock is in place. */
  lockRoom(key: string, options?: { thenRemove?: string }): string | null;
  unlockRoom(): void;
  admit(knockId: string): void;
  deny(knockId: string): void;
  removePeer(peerId: string): void;
  /** Asks to be let in, as `name`: sent the moment the socket is open, which it usually is already (see connect). */
  join(name?: string): void;
  /** Changes our name for everyone; returns why it cannot be used, or null. */
  rename(name: string): string | null;
  setMicrophone(on: boolean): void;
  setCamera(on: boolean): void;
  /** Opens the browser's screen picker; resolves to why sharing failed, or null. */
  shareScreen(): Promise<string | null>;
  stopScreenShare(): void;
  /** Switches camera, microphone or speaker; resolves to why it failed, or null. */
  useDevice(kind: DeviceKind, deviceId: string): Promise<string | null>;
  /** Sends a chat message to everyone in the call; returns why it cannot be sent, or null. */
  sendChat(text: string): string | null;
  setChatOpen(open: boolean): void;
}

/** What a view needs from an engine; tests hand in a fake one built from plain signals. */
export type CallHandle = CallState & CallControls;

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
}

interface Member {
  id: string;
  name: string;
  connection: PeerConnection;
  audio: boolean;
  video: boolean;
  screen: boolean;
}

/** Messages that need our media (or the peers it is sent to) before they can be handled. */
const NEEDS_MEDIA: ReadonlySet<ServerMessage["type"]> = new Set(["peer-joined", "peer-left", "signal"]);

/**
 * A call in one room: the room's signaling socket, local media, and one peer connection per
 * other member. Framework-free so that any view (or a test) can drive it through its signals.
 */
export class Call implements CallState, CallControls {
  readonly #status = signal<CallStatus>("connecting");
  readonly #selfId = signal<string | null>(null);
  readonly #selfName: Signal<string>;
  readonly #members = signal<ReadonlyMap<string, Member>>(new Map());
  readonly #error = signal<string | null>(null);
  readonly #access = signal<Access>({ state: "unknown" });
  readonly #lock = signal<LockInfo | null>(null);
  readonly #lockNews = signal<LockNews | null>(null);
  readonly #knocks = signal<readonly KnockRequest[]>([]);
  readonly #guessWarning = signal<GuessWarning | null>(null);
  readonly #removedBy = signal<NameLabel | null>(null);

  readonly status: ReadonlySignal<CallStatus> = this.#status;
  readonly selfId: ReadonlySignal<string | null> = this.#selfId;
  readonly selfName: ReadonlySignal<string>;
  readonly localStream: ReadonlySignal<MediaStream | null>;
  readonly mediaError: ReadonlySignal<string | null>;
  readonly error: ReadonlySignal<string | null> = this.#error;
  readonly access: ReadonlySignal<Access> = this.#access;
  readonly lock: ReadonlySignal<LockInfo | null> = this.#lock;
  readonly lockNews: ReadonlySignal<LockNews | null> = this.#lockNews;
  readonly knocks: ReadonlySignal<readonly KnockRequest[]> = this.#knocks;
  readonly guessWarning: ReadonlySignal<GuessWarning | null> = this.#guessWarning;
  readonly #roomNotice = signal<string | null>(null);
  readonly roomNotice: ReadonlySignal<string | null> = this.#roomNotice;
  readonly removedBy: ReadonlySignal<NameLabel | null> = this.#removedBy;
  readonly peers: ReadonlySignal<readonly Peer[]> = computed(() =>
    [...this.#members.value.values()].map((m) => ({
      id: m.id,
      name: m.name,
      stream: m.connection.remoteStream.value,
      audio: m.audio,
      video: m.video,
      screen: m.screen,
      quality: m.connection.quality,
      safetyCode: m.connection.safetyCode,
    })),
  );

  readonly #options: CallOptions;
  readonly #now: () => number;
  /** The room's socket, reconnecting by itself (reconnect.ts). */
  #link: RoomLink | null = null;
  /** Ids that said goodbye: a late signal from one of them must not resurrect its tile. */
  readonly #departed = new Set<string>();
  /** While our media is being acquired after the welcome, messages about peers wait here. */
  #held: ServerMessage[] | null = null;
  /** A peer to remove as soon as the room confirms our lock (so they cannot walk back in). */
  #removeAfterLock: string | null = null;
  #guessWarningTimer: ReturnType<typeof setTimeout> | undefined;
  #roomNoticeTimer: ReturnType<typeof setTimeout> | undefined;
  /** STUN/TURN from the room: only members get them, since TURN relays cost money. */
  #ice: IceConfig | null = null;
  #iceRefreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Peers missing from a welcome after we reconnected, each dropped unless it comes back in time. */
  readonly #returnTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The room timed us out (4008) and told everyone we left: after the welcome, every connection starts over. */
  #forgotten = false;
  #stopBudget: (() => void) | null = null;

  readonly #media: LocalMediaHandle;
  readonly #screen: ScreenShare;
  readonly #chat = new ChatLog();
  readonly #chatBudget = new ChatBudget();
  readonly media: LocalMediaState;
  readonly screenStream: ReadonlySignal<MediaStream | null>;
  readonly chat: ChatState = this.#chat;
  /** join() was called: every socket the link opens (the first, and any reconnect) sends the handshake. */
  #joinRequested = false;
  #linkOpen = false;
  /** The media state the others last heard from us, so that only changes are sent. */
  #sentState: string | null = null;
  /** Bumped by every welcome: the room forgets media state when we reconnect, so it is said again. */
  readonly #stateEpoch = signal(0);
  #stopMediaSync: (() => void) | null = null;

  constructor(options: CallOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#selfName = signal(options.name);
    this.selfName = this.#selfName;
    this.#media = options.media ?? new LocalMedia({ getUserMedia: options.getUserMedia });
    this.media = this.#media;
    this.localStream = this.#media.stream;
    this.mediaError = computed(() => {
      const problem = this.#media.problem.value;
      return problem ? describeProblem(problem) : null;
    });
    this.#screen = new ScreenShare(options.getDisplayMedia);
    this.screenStream = this.#screen.stream;
  }

  get canShareScreen(): boolean {
    return this.#screen.supported;
  }

  /** Opens the room's socket and joins at once (no hair check). */
  start(): void {
    this.connect();
    this.join();
  }

  /**
   * Opens the room's socket without joining: the hair check opens it while the person looks at
   * their preview, so that Join costs one round trip. join() (or start()) sends the handshake.
   */
  connect(): void {
    // Every connection shares one upload budget (bitrate.ts): re-split whenever someone comes or goes.
    this.#stopBudget = effect(() => {
      const members = this.#members.value;
      for (const member of members.values()) member.connection.setVideoBudget(members.size);
    });
    const url = this.#options.url;
    if (url !== undefined) {
      this.#openLink(url);
      return;
    }
    // Hashing is asynchronous (crypto.subtle): join() waits for the link's open anyway, and a
    // call that ended meanwhile (leave, unmount) opens nothing.
    roomSocketUrlFor(this.#options.room).then(
      (roomUrl) => {
        if (!this.#isOver() && this.#link === null) this.#openLink(roomUrl);
      },
      (error: unknown) => {
        // No crypto.subtle: the page is not a secure context (plain http on another host).
        console.error("natter: could not derive the room's id", error);
        this.#fail("This page cannot open rooms here: open it over https.");
      },
    );
  }

  #openLink(url: string): void {
    try {
      this.#link = new RoomLink(
        url,
        {
          open: () => {
            this.#linkOpen = true;
            if (this.#joinRequested) this.#sendJoin();
          },
          message: (message) => this.#handle(message),
          reconnecting: ({ code }) => {
            this.#linkOpen = false;
            if (code === CloseCode.timedOut) this.#forgotten = true;
            if (this.#status.value === "joined") this.#status.value = "reconnecting";
          },
          closed: ({ code, reason, verdict }) => {
            if (verdict === "removed") this.#beRemoved(null);
            else if (verdict === "replaced") this.#fail(REPLACED);
            else this.#fail(describeClose(code, reason));
          },
        },
        { ...this.#options.reconnect, signaling: this.#options.signaling },
      );
    } catch (error) {
      // new WebSocket() throws synchronously on a malformed URL or a blocked port.
      console.error("natter: could not open the room's socket", error);
      this.#fail("Could not connect to the room.");
    }
  }

  join(name?: string): void {
    if (this.#joinRequested || this.#isOver()) return;
    if (name !== undefined) this.#selfName.value = name;
    this.#joinRequested = true;
    if (this.#linkOpen) this.#sendJoin();
  }

  #sendJoin(): void {
    const resume = this.#link?.resumeAs;
    this.#send({ type: "join", name: this.#selfName.value, ...(resume && { resume }) });
  }

  rename(name: string): string | null {
    const problem = displayNameProblem(name);
    if (problem !== null) return problem;
    const trimmed = name.trim();
    if (trimmed === this.#selfName.value) return null;
    this.#selfName.value = trimmed;
    // Before we are in, the join carries the name; after, the room tells everyone (peer-state).
    if (this.#selfId.value !== null) this.#send({ type: "state", name: trimmed });
    return null;
  }

  setMicrophone(on: boolean): void {
    this.#media.setMicOn(on);
  }

  setCamera(on: boolean): void {
    this.#media.setCameraOn(on);
  }

  shareScreen(): Promise<string | null> {
    if (this.#isOver()) return Promise.resolve(null);
    return this.#screen.start();
  }

  stopScreenShare(): void {
    this.#screen.stop();
  }

  useDevice(kind: DeviceKind, deviceId: string): Promise<string | null> {
    return this.#media.useDevice(kind, deviceId);
  }

  sendChat(text: string): string | null {
    const problem = chatTextProblem(text);
    if (problem !== null) return problem;
    if (this.#status.value !== "joined" && this.#status.value !== "reconnecting") return "You are not in the call.";
    const frame = encodeChat(text);
    // Straight to each peer over its data channel: the room never carries chat.
    for (const member of this.#members.value.values()) member.connection.sendData(frame);
    this.#chat.add({ from: null, name: this.#selfName.value, text, at: this.#now() });
    return null;
  }

  setChatOpen(open: boolean): void {
    this.#chat.setOpen(open);
  }

  leave(): void {
    if (this.#isOver()) return;
    this.#status.value = "left";
    this.#teardown();
  }

  submitKey(key: string): string | null {
    const problem = roomKeyProblem(key);
    if (problem !== null) return problem;
    if (this.#status.value !== "outside") return null;
    this.#access.value = { state: "checking-key" };
    // The key exists only in this one message: never stored, logged, or kept for a retry.
    this.#send({ type: "join", name: this.#selfName.value, key });
    return null;
  }

  knock(): void {
    if (this.#status.value !== "outside") return;
    // Shown at once; the room's knock-sent or denial follows within a round trip.
    this.#access.value = { state: "knocking" };
    this.#send({ type: "knock", name: this.#selfName.value });
  }

  lockRoom(key: string, options: { thenRemove?: string } = {}): string | null {
    const problem = roomKeyProblem(key);
    if (problem !== null) return problem;
    if (this.#status.value !== "joined") return null;
    this.#removeAfterLock = options.thenRemove ?? null;
    this.#send({ type: "lock", key });
    return null;
  }

  unlockRoom(): void {
    if (this.#status.value === "joined") this.#send({ type: "unlock" });
  }

  admit(knockId: string): void {
    this.#answerKnock(knockId, "admit");
  }

  deny(knockId: string): void {
    this.#answerKnock(knockId, "deny");
  }

  removePeer(peerId: string): void {
    if (this.#status.value === "joined") this.#send({ type: "kick", id: peerId });
  }

  #answerKnock(id: string, answer: "admit" | "deny"): void {
    if (this.#status.value !== "joined") return;
    this.#send({ type: answer, id });
    // Everyone's prompt goes when the room reports knock-ended; ours goes now so it cannot be answered twice.
    this.#dropKnock(id);
  }

  #handle(message: ServerMessage): void {
    if (this.#held && NEEDS_MEDIA.has(message.type)) {
      this.#held.push(message);
      return;
    }
    switch (message.type) {
      case "welcome":
        void this.#enter(message);
        break;
      case "peer-joined":
        this.#peerJoined(message.peer);
        break;
      case "peer-left":
        this.#removeMember(message.id);
        break;
      case "peer-state":
        this.#updatePeer(message.peer);
        break;
      case "signal":
        this.#routeSignal(message.from, message.data);
        break;
      case "ice":
        this.#useIce(message.ice);
        break;
      case "denied":
        this.#handleDenial(message);
        break;
      case "knock-sent":
        if (this.#status.value === "outside") this.#access.value = { state: "knocking" };
        break;
      case "locked":
        batch(() => {
          this.#lock.value = { by: message.by, byId: message.byId };
          this.#lockNews.value = { locked: true, by: message.by, byId: message.byId };
        });
        if (this.#removeAfterLock !== null) {
          this.#send({ type: "kick", id: this.#removeAfterLock });
          this.#removeAfterLock = null;
        }
        break;
      case "unlocked":
        batch(() => {
          this.#lock.value = null;
          this.#lockNews.value = { locked: false, by: message.by, byId: message.byId };
        });
        break;
      case "knocking":
        // A renewed knock keeps its id (and its place is taken anew, since it starts a fresh wait).
        this.#knocks.value = [
          ...this.#knocks.value.filter((k) => k.id !== message.id),
          { id: message.id, name: message.name, ...(message.nameInUse && { nameInUse: true }) },
        ];
        break;
      case "knock-ended":
        this.#dropKnock(message.id);
        break;
      case "key-guessed":
        this.#warnOfGuess(message.failures);
        break;
      case "removed":
        // The socket closes right after; this message is what lets us say who.
        this.#beRemoved(this.#labelOf(message.byId, message.by));
        break;
      case "error":
        this.#handleError(message);
        break;
    }
  }

  /** Let in: media now, then the peers (and anything they said while we waited for the camera). */
  async #enter(welcome: Extract<ServerMessage, { type: "welcome" }>): Promise<void> {
    this.#sentState = null;
    this.#stateEpoch.value += 1;
    if (this.#selfId.value !== null) {
      this.#rejoin(welcome);
      return;
    }
    this.#acceptWelcome(welcome);
    this.#held = [];
    // Ready since the hair check as a rule; otherwise the permission prompt opens now.
    await this.#media.start();
    // Left (or was removed) while the permission prompt was open: the teardown stopped the media.
    if (this.#status.value !== "joined" && this.#status.value !== "reconnecting") return;
    this.#syncMedia();
    const held = this.#held;
    this.#held = null;
    // They heard of us through peer-joined and are offering already; we answer.
    for (const peer of welcome.peers) this.#addMember(peer, { awaitFirstOffer: true });
    for (const message of held) this.#handle(message);
  }

  #handleDenial(message: Extract<ServerMessage, { type: "denied" }>): void {
    if (this.#isOver() || this.#status.value === "joined") return;
    // After a reconnect, a denial means the room no longer knows us: the old call is gone for us.
    if (this.#status.value === "reconnecting") this.#forgetCall();
    const access = accessAfterDenial(message, this.#now());
    if (access === null) {
      this.#fail("This call is full. Try again when someone leaves.");
      return;
    }
    batch(() => {
      // The socket stays open: the same socket may try a key or knock next.
      this.#status.value = "outside";
      this.#access.value = access;
    });
    // Nobody inside can receive our camera, and a knock can wait minutes: its light goes off at
    // the door and comes back on (same devices, same on/off choices) once we are let in.
    this.#media.release();
  }

  #handleError(message: Extract<ServerMessage, { type: "error" }>): void {
    // Most errors are races the room reports and we can shrug off (a signal to a peer who just left).
    console.warn(`natter: the room reported ${message.code}: ${message.message}`);
    const status = this.#status.value;
    if (status === "connecting") {
      // Before the room has answered our join, nothing else will happen: the call has failed.
      this.#fail(message.message);
    } else if (status === "outside" && message.code === "not-locked") {
      // Unlocked while we stood at the door (nobody tells outsiders): just walk in.
      this.#send({ type: "join", name: this.#selfName.value });
    } else if (status === "outside" && this.#access.value.state === "checking-key") {
      this.#access.value = { state: "locked" };
    } else if (status === "joined" && TOLD_ERRORS.has(message.code)) {
      // The button someone pressed did nothing: say why, or it looks broken.
      clearTimeout(this.#roomNoticeTimer);
      this.#roomNotice.value = message.message;
      this.#roomNoticeTimer = setTimeout(() => {
        this.#roomNotice.value = null;
      }, ROOM_NOTICE_MS);
    }
  }

  #warnOfGuess(failures: number): void {
    clearTimeout(this.#guessWarningTimer);
    this.#guessWarning.value = { failures, at: this.#now() };
    this.#guessWarningTimer = setTimeout(() => {
      this.#guessWarning.value = null;
    }, GUESS_WARNING_MS);
  }

  #dropKnock(id: string): void {
    const knocks = this.#knocks.value;
    if (knocks.some((k) => k.id === id)) this.#knocks.value = knocks.filter((k) => k.id !== id);
  }

  #addMember(peer: PeerInfo, { awaitFirstOffer = false }: { awaitFirstOffer?: boolean } = {}): Member | null {
    const selfId = this.#selfId.value;
    if (selfId === null || peer.id === selfId || this.#departed.has(peer.id)) return null;
    const members = this.#members.value;
    const existing = members.get(peer.id);
    if (existing) {
      if (existing.name !== peer.name)
        this.#members.value = new Map(members).set(peer.id, { ...existing, name: peer.name });
      return existing;
    }
    const connection = new PeerConnection({
      selfId,
      peerId: peer.id,
      localStream: this.#media.stream.value,
      iceServers: this.#options.iceServers ?? this.#ice?.iceServers,
      iceTransportPolicy: this.#ice?.iceTransportPolicy,
      awaitFirstOffer,
      sendSignal: (data) => this.#send({ type: "signal", to: peer.id, data }),
      canSignal: () => this.#link?.reconnecting === false,
      onData: (data) => this.#receiveChat(peer.id, data),
    });
    // A shared screen goes out in the camera's place, from the first offer on.
    connection.setTrack("video", this.#outgoingVideo(), this.#media.stream.value);
    const member = {
      id: peer.id,
      name: peer.name,
      connection,
      audio: peer.audio ?? true,
      video: peer.video ?? true,
      screen: peer.screen ?? false,
    };
    connection.expectMedia({ video: member.video || member.screen, audio: member.audio });
    this.#members.value = new Map(members).set(peer.id, member);
    return member;
  }

  #routeSignal(from: string, data: SignalData): void {
    let member = this.#members.value.get(from);
    // The peer forgot us (we were away too long) and offers from a brand-new connection: follow it.
    if (member?.connection.isFromAnotherConnection(data)) member = this.#startOver(member) ?? undefined;
    // The room announces peers before relaying their signals, so an unknown sender is a race we can absorb.
    member ??= this.#addMember({ id: from, name: "Guest" }, { awaitFirstOffer: true }) ?? undefined;
    void member?.connection.handleSignal(data);
  }

  /**
   * peer-joined. A known id is someone whose socket dropped and who resumed: still here, with the
   * same connection (media never stopped). An id that had left is back after everyone was told it
   * left (it was gone too long): a new connection, as for anyone new.
   */
  #peerJoined(peer: PeerInfo): void {
    const known = this.#members.value.get(peer.id);
    if (known) {
      this.#cancelReturnWait(peer.id);
      known.connection.peerReturned();
    } else {
      this.#departed.delete(peer.id);
    }
    this.#addMember(peer);
  }

  /** What every welcome says, first or after a reconnect: who we are, the ICE servers, the lock, and that we are in. */
  #acceptWelcome(welcome: Extract<ServerMessage, { type: "welcome" }>): void {
    this.#useIce(welcome.ice);
    batch(() => {
      this.#selfId.value = welcome.id;
      this.#lock.value = welcome.lock;
      this.#access.value = { state: "in" };
      this.#status.value = "joined";
    });
  }

  /** Welcomed again after the socket dropped: reconcile who we think is here with who the room says is. */
  #rejoin(welcome: Extract<ServerMessage, { type: "welcome" }>): void {
    const sameCall = welcome.id === this.#selfId.value && !this.#forgotten;
    this.#forgotten = false;
    this.#acceptWelcome(welcome);
    if (this.#held) {
      // Still waiting for the camera from the first welcome: these peers join the queue.
      for (const peer of welcome.peers) this.#held.push({ type: "peer-joined", peer });
      return;
    }
    if (!sameCall) {
      // Everyone was told we left: whatever connections we hold, the other ends are gone.
      for (const member of this.#members.value.values()) this.#startOver(member);
    }
    const inRoom = new Set(welcome.peers.map((peer) => peer.id));
    for (const peer of welcome.peers) {
      this.#departed.delete(peer.id);
      this.#cancelReturnWait(peer.id);
      // New faces joined while we were away; they saw us in their welcome or will hear peer-joined, and offer.
      this.#addMember(peer, { awaitFirstOffer: true });
    }
    // After the room restarted, people reconnect one by one: the missing may be on their way back.
    for (const id of this.#members.value.keys()) if (!inRoom.has(id)) this.#awaitReturn(id);
  }

  /** A new connection in the same tile, answering the peer's next offer. */
  #startOver(member: Member): Member | null {
    member.connection.close();
    return batch(() => {
      const members = new Map(this.#members.value);
      members.delete(member.id);
      this.#members.value = members;
      const fresh = this.#addMember({ id: member.id, name: member.name }, { awaitFirstOffer: true });
      if (!fresh) return null;
      const kept = { ...member, connection: fresh.connection };
      kept.connection.expectMedia({ video: member.video || member.screen, audio: member.audio });
      this.#members.value = new Map(this.#members.value).set(member.id, kept);
      return kept;
    });
  }

  #awaitReturn(id: string): void {
    if (this.#returnTimers.has(id)) return;
    this.#returnTimers.set(
      id,
      setTimeout(() => {
        this.#returnTimers.delete(id);
        this.#removeMember(id);
      }, PEER_RETURN_GRACE_MS),
    );
  }

  #cancelReturnWait(id: string): void {
    clearTimeout(this.#returnTimers.get(id));
    this.#returnTimers.delete(id);
  }

  /** The room turned us away after a reconnect (locked, full): back to the door, camera off. */
  #forgetCall(): void {
    for (const id of this.#returnTimers.keys()) this.#cancelReturnWait(id);
    for (const member of this.#members.value.values()) member.connection.close();
    batch(() => {
      this.#members.value = new Map();
      this.#selfId.value = null;
    });
    this.#stopMediaSync?.();
    this.#stopMediaSync = null;
    this.#screen.stop();
    this.#media.release();
  }

  /** ICE servers from a welcome or a refresh: into every connection, and a refresh before they expire. */
  #useIce(ice: IceConfig): void {
    this.#ice = ice;
    if (!this.#options.iceServers) {
      for (const member of this.#members.value.values()) member.connection.setIceServers(ice.iceServers);
    }
    clearTimeout(this.#iceRefreshTimer);
    const delay = iceRefreshDelay(ice.expiresAt, this.#now());
    if (delay !== null) this.#iceRefreshTimer = setTimeout(() => this.#send({ type: "refresh-ice" }), delay);
  }

  #removeMember(id: string): void {
    this.#cancelReturnWait(id);
    this.#chatBudget.forget(id);
    this.#departed.add(id);
    const member = this.#members.value.get(id);
    if (!member) return;
    member.connection.close();
    const members = new Map(this.#members.value);
    members.delete(id);
    this.#members.value = members;
  }

  #send(message: ClientMessage): void {
    this.#link?.send(message);
  }

  #isOver(): boolean {
    const status = this.#status.value;
    return status === "left" || status === "error" || status === "removed";
  }

  /** How the call shows `id` right now: with a tag if someone else here has the same name. */
  #labelOf(id: string, name: string): NameLabel {
    const self = { id: this.#selfId.value ?? "", name: this.#selfName.value };
    return labelFor(labelPeople([self, ...this.#members.value.values()]), id, name);
  }

  #beRemoved(by: NameLabel | null): void {
    if (this.#isOver()) return;
    batch(() => {
      this.#removedBy.value = by;
      this.#status.value = "removed";
    });
    this.#teardown();
  }

  #fail(reason: string): void {
    if (this.#isOver()) return;
    batch(() => {
      this.#error.value = reason;
      this.#status.value = "error";
    });
    this.#teardown();
  }

  #teardown(): void {
    this.#link?.close();
    this.#link = null;
    this.#stopBudget?.();
    clearTimeout(this.#iceRefreshTimer);
    for (const id of this.#returnTimers.keys()) this.#cancelReturnWait(id);
    this.#held = null;
    this.#removeAfterLock = null;
    clearTimeout(this.#guessWarningTimer);
    clearTimeout(this.#roomNoticeTimer);
    for (const member of this.#members.value.values()) member.connection.close();
    this.#stopMediaSync?.();
    this.#stopMediaSync = null;
    this.#screen.stop();
    this.#media.stop();
    batch(() => {
      this.#members.value = new Map();
      this.#knocks.value = [];
      this.#guessWarning.value = null;
      this.#roomNotice.value = null;
    });
  }

  /** What we send as video: the shared screen in place of the camera while we share. */
  #outgoingVideo(): MediaStreamTrack | null {
    return this.#screen.track.value ?? this.#media.videoTrack.value;
  }

  /**
   * Keeps every connection and every peer in step with our media: a new camera or microphone,
   * or a shared screen, is swapped in with replaceTrack (in a mesh, sending the screen instead of
   * the camera keeps the upload the same and needs no renegotiation with anyone), and muting or
   * sharing is told to the others through the room, so their badges follow.
   */
  #syncMedia(): void {
    if (this.#stopMediaSync) return;
    this.#sentState = null;
    const tracks = effect(() => {
      const audio = this.#media.audioTrack.value;
      const video = this.#outgoingVideo();
      const stream = this.#media.stream.value;
      for (const member of this.#members.value.values()) {
        member.connection.setTrack("audio", audio, stream);
        member.connection.setTrack("video", video, stream);
      }
    });
    const state = effect(() => {
      this.#stateEpoch.value;
      const media = this.#media;
      const current = {
        audio: media.micOn.value && media.audioTrack.value !== null,
        video: media.cameraOn.value && media.videoTrack.value !== null,
        screen: this.#screen.track.value !== null,
      };
      const text = JSON.stringify(current);
      if (text === this.#sentState) return;
      this.#sentState = text;
      this.#send({ type: "state", ...current });
    });
    this.#stopMediaSync = () => {
      tracks();
      state();
    };
  }

  /** peer-state: a peer renamed itself, muted, turned its camera off, or started or stopped sharing. */
  #updatePeer(peer: PeerInfo): void {
    const member = this.#members.value.get(peer.id);
    if (!member) return;
    const updated: Member = {
      ...member,
      name: peer.name,
      audio: peer.audio ?? member.audio,
      video: peer.video ?? member.video,
      screen: peer.screen ?? member.screen,
    };
    member.connection.expectMedia({ video: updated.video || updated.screen, audio: updated.audio });
    this.#members.value = new Map(this.#members.value).set(peer.id, updated);
  }

  #receiveChat(from: string, data: string): void {
    const member = this.#members.value.get(from);
    if (!member) return;
    const now = this.#now();
    // Every frame counts against the sender's budget, valid or not, before any work is done on it.
    const verdict = this.#chatBudget.take(from, now);
    // The name is the room's record of the sender, never something the message claims.
    if (verdict === "tell") this.#chat.add({ from, name: member.name, text: "", at: now, notice: "flood" });
    if (verdict !== "accept") return;
    const text = parseChat(data);
    if (text === null) {
      console.warn("natter: ignoring an invalid chat message from a peer");
      return;
    }
    this.#chat.add({ from, name: member.name, text, at: now });
  }
}

/** Starts a call and returns at once; progress shows up in the call's signals. */
export function startCall(options: CallOptions): Call {
  const call = new Call(options);
  call.start();
  return call;
}

const REPLACED = "This call continued in another tab or window, so it was ended here.";

function describeClose(code: number, reason: string): string {
  if (code === CloseCode.policyViolation || code === CloseCode.messageTooBig)
    return `The room closed the connection${reason ? `: ${reason}` : "."}`;
  // 1006 is all a browser reports for a socket that never opened or dropped without a close frame.
  return "Lost the connection to the room. Check your network and try again.";
}
