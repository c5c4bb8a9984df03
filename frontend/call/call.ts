/**
 * A call in one room: a facade over named parts. It owns the lifecycle (connect, join, leave,
 * the end) and the status, and routes each of the room's messages (route.ts) to the part that owns it:
 *
 * - link/room-session.ts: the room's socket (heartbeat, reconnect) and the join handshake;
 * - entry.ts: the welcome (media first, then the peers) and being turned away;
 * - door.ts: the locked room's door, lock and knock news;
 * - roster.ts: the other peers, one connection each (peer/peer-connection.ts);
 * - media-sync.ts: senders and our peer-state follow mic, camera and screen; the upload budget;
 * - ice-config.ts: the ICE servers and their refresh;
 * - chat.ts: chat over the data channels;
 * - etiquette.ts: raised hands and reactions;
 * - sfu-route.ts: mesh or SFU, member by member, as the room's call mode says (sfu/ loads on demand).
 *
 * Framework-free so that any view (or a test) can drive it through its signals (handle.ts).
 */
import { batch, type ReadonlySignal, type Signal, signal } from "@preact/signals-core";
import type { CallMode, ClientMessage, IceConfig, Reaction, ServerMessage } from "../../common/protocol";
import type { Problem } from "../i18n/problem";
import { Chat } from "./chat";
import { displayNameProblem } from "./display-name";
import { Door } from "./door";
import { Entry } from "./entry";
import { Etiquette } from "./etiquette";
import { CallEmitter, type CallEventListener, type CallEvents, type CallEventType } from "./events";
import type { CallControls, CallError, CallOptions, CallState } from "./handle";
import { IceServers } from "./ice-config";
import { RoomSession } from "./link/room-session";
import { type Listening, ListeningChoices } from "./listening";
import type { DeviceKind } from "./media/devices";
import { LocalMedia } from "./media/local-media";
import type { LocalMediaHandle } from "./media/local-media-handle";
import { ScreenShare } from "./media/screen-share";
import { MediaSync } from "./media-sync";
import type { NameLabel } from "./names";
import { PeerConnection } from "./peer/peer-connection";
import { Roster } from "./roster";
import { type CallEnd, type Routes, route } from "./route";
import { SfuRoute } from "./sfu-route";
import { type CallStatus, isInCall, isOver } from "./status";
import { Verification } from "./verification";

export type { GuessWarning, KnockRequest, LockNews } from "./door";
export { GUESS_WARNING_MS, ROOM_NOTICE_MS } from "./door";
export type { CallControls, CallHandle, CallOptions, CallState, CallStatus } from "./handle";
export type { Peer } from "./roster";
export { PEER_RETURN_GRACE_MS } from "./roster";

export class Call implements CallState, CallControls, CallEvents {
  readonly #status = signal<CallStatus>("connecting");
  readonly #selfId = signal<string | null>(null);
  readonly #selfName: Signal<string>;
  readonly #error = signal<CallError | null>(null);
  readonly #removedBy = signal<NameLabel | null>(null);
  readonly #callMode = signal<CallMode>("mesh");
  readonly status: ReadonlySignal<CallStatus> = this.#status;
  readonly selfId: ReadonlySignal<string | null> = this.#selfId;
  readonly error: ReadonlySignal<CallError | null> = this.#error;
  readonly removedBy: ReadonlySignal<NameLabel | null> = this.#removedBy;
  readonly callMode: ReadonlySignal<CallMode> = this.#callMode;
  declare readonly mediaRoute: CallState["mediaRoute"];
  // What views read of the parts: each part's own signals (set in the constructor; `declare` emits no field).
  declare readonly selfName: CallState["selfName"];
  declare readonly peers: CallState["peers"];
  declare readonly access: CallState["access"];
  declare readonly lock: CallState["lock"];
  declare readonly lockNews: CallState["lockNews"];
  declare readonly knocks: CallState["knocks"];
  declare readonly guessWarning: CallState["guessWarning"];
  declare readonly roomNotice: CallState["roomNotice"];
  declare readonly media: CallState["media"];
  declare readonly localStream: CallState["localStream"];
  declare readonly mediaError: CallState["mediaError"];
  declare readonly screenStream: CallState["screenStream"];
  declare readonly cameraWhileSharing: CallState["cameraWhileSharing"];
  declare readonly canShareScreen: boolean;
  declare readonly chat: CallState["chat"];
  declare readonly hands: CallState["hands"];
  declare readonly reactions: CallState["reactions"];

  readonly #events = new CallEmitter();
  readonly #media: LocalMediaHandle;
  readonly #screen: ScreenShare;
  readonly #verification = new Verification();
  readonly #listening = new ListeningChoices();
  readonly listening: CallState["listening"] = this.#listening.choices;
  readonly #session: RoomSession;
  readonly #door: Door;
  readonly #ice: IceServers;
  readonly #roster: Roster;
  readonly #mediaSync: MediaSync;
  readonly #chat: Chat;
  readonly #entry: Entry;
  readonly #etiquette: Etiquette;
  readonly #sfu: SfuRoute;
  readonly #routes: Routes;

  constructor(options: CallOptions) {
    const now = options.now ?? Date.now;
    const events = this.#events;
    this.#selfName = signal(options.name);
    this.#media = options.media ?? new LocalMedia({ getUserMedia: options.getUserMedia });
    this.#screen = new ScreenShare(options.getDisplayMedia);
    this.#session = new RoomSession(
      options,
      {
        message: (message) => this.#route(message),
        reconnecting: ({ timedOut }) => {
          if (timedOut) this.#entry.forgotten();
          this.#sfu.socketClosed();
          if (this.#status.value === "joined") this.#status.value = "reconnecting";
        },
        ended: (end) => this.#end("removed" in end ? { status: "removed", removedBy: null } : end),
      },
      () => this.#selfName.value,
    );
    const send = (message: ClientMessage) => this.#session.send(message);
    this.#door = new Door({ status: this.#status, selfName: this.#selfName, send, now });
    this.#ice = new IceServers({ override: options.iceServers, now, refresh: () => send({ type: "refresh-ice" }) });
    this.#roster = new Roster({
      selfId: this.#selfId,
      selfName: this.#selfName,
      // In SFU mode, members we meet get no peer connection: their media comes through the SFU. One
      // that offers gets an answer, unless the SFU already brings it (an ICE restart of a connection
      // we closed on purpose must not bring it back).
      connect: (peerId, awaitFirstOffer, offered) =>
        this.#sfu.wantsMesh() || (offered && !this.#sfu.showsViaSfu(peerId))
          ? this.#connectTo(peerId, awaitFirstOffer)
          : null,
      viaSfu: (id) => this.#sfu.view(id),
      verification: this.#verification,
      events,
    });
    const members = this.#roster.members;
    this.#mediaSync = new MediaSync({ media: this.#media, screen: this.#screen, members, send, now });
    const inCall = () => isInCall(this.#status.value);
    this.#etiquette = new Etiquette(send);
    this.#chat = new Chat({
      members,
      sendSealed: (to, frame) => this.#sfu.sendChat(to, frame),
      selfName: this.#selfName,
      inCall,
      events,
      now,
    });
    this.#sfu = new SfuRoute({
      callMode: this.#callMode,
      status: this.#status,
      selfId: this.#selfId,
      roster: this.#roster,
      media: this.#media,
      screen: this.#screen,
      ice: this.#ice,
      events,
      send,
      onChat: (from, frame) => this.#chat.receive(from, frame),
      ...(options.loadSfu && { load: options.loadSfu }),
      now,
    });
    this.#entry = new Entry({
      status: this.#status,
      selfId: this.#selfId,
      door: this.#door,
      roster: this.#roster,
      mediaSync: this.#mediaSync,
      media: this.#media,
      screen: this.#screen,
      useIce: (ice) => this.#useIce(ice),
      route: (message) => this.#route(message),
      fail: (error) => this.#end({ error }),
    });
    this.#routes = {
      status: this.#status,
      callMode: this.#callMode,
      sfu: this.#sfu,
      entry: this.#entry,
      etiquette: this.#etiquette,
      roster: this.#roster,
      door: this.#door,
      useIce: (ice) => this.#useIce(ice),
      end: (how) => this.#end(how),
    };

    this.selfName = this.#selfName;
    this.mediaRoute = this.#sfu.route;
    this.peers = this.#roster.peers;
    ({ access: this.access, lock: this.lock, lockNews: this.lockNews, knocks: this.knocks } = this.#door);
    ({ guessWarning: this.guessWarning, roomNotice: this.roomNotice } = this.#door);
    this.media = this.#media;
    this.localStream = this.#media.stream;
    this.mediaError = this.#media.problem;
    this.screenStream = this.#screen.stream;
    this.cameraWhileSharing = this.#mediaSync.cameraWhileSharing;
    this.canShareScreen = this.#screen.supported;
    this.chat = this.#chat.state;
    ({ hands: this.hands, reactions: this.reactions } = this.#etiquette);
  }

  on<K extends CallEventType>(type: K, listener: CallEventListener<K>): () => void {
    return this.#events.on(type, listener);
  }

  // What views may ask of the parts.
  readonly submitKey = (key: string) => this.#door.submitKey(key);
  readonly knock = () => this.#door.knock();
  readonly lockRoom = (key: string, options?: { thenRemove?: string }) => this.#door.lockRoom(key, options);
  readonly unlockRoom = () => this.#door.unlockRoom();
  readonly admit = (knockId: string) => this.#door.answerKnock(knockId, "admit");
  readonly deny = (knockId: string) => this.#door.answerKnock(knockId, "deny");
  readonly removePeer = (peerId: string) => this.#door.removePeer(peerId);
  readonly setMicrophone = (on: boolean) => this.#media.setMicOn(on);
  readonly setCamera = (on: boolean) => this.#media.setCameraOn(on);
  readonly setPushToTalk = (held: boolean) => this.#media.setPushToTalk(held);
  readonly stopScreenShare = () => this.#screen.stop();
  readonly useDevice = (kind: DeviceKind, deviceId: string) => this.#media.useDevice(kind, deviceId);
  readonly sendChat = (text: string) => this.#chat.send(text);
  readonly setChatOpen = (open: boolean) => this.#chat.setOpen(open);
  readonly setTyping = (on: boolean) => this.#chat.setTyping(on);
  readonly setCameraWhileSharing = (on: boolean) => this.#mediaSync.setCameraWhileSharing(on);
  readonly setListening = (peerId: string, change: Partial<Listening>) => this.#listening.set(peerId, change);
  readonly setTileWidth = (peerId: string, width: number | null) => this.#sfu.setTileWidth(peerId, width);
  readonly raiseHand = () => this.#etiquette.raise();
  readonly lowerHand = (peerId?: string) => this.#etiquette.lower(peerId);
  readonly react = (emoji: Reaction) => this.#etiquette.react(emoji);

  shareScreen(): Promise<Problem | null> {
    return isOver(this.#status.value) ? Promise.resolve(null) : this.#screen.start();
  }

  setVerified(peerId: string, verified: boolean): void {
    const member = this.#roster.members.value.get(peerId);
    const code = member && this.#roster.safetyCodeOf(member);
    if (code) this.#verification.mark(peerId, code, verified);
  }

  /**
   * Opens the room's socket without joining: the hair check opens it while the person looks at
   * their preview, so that Join costs one round trip. join() sends the handshake.
   */
  connect(): void {
    this.#session.connect();
  }

  /** Opens the room's socket and joins at once (no hair check). */
  start(): void {
    this.connect();
    this.join();
  }

  join(name?: string): void {
    if (this.#session.joinRequested || isOver(this.#status.value)) return;
    // Batched, so that whatever follows our name (labels, views) runs after the join has gone out.
    batch(() => {
      if (name !== undefined) this.#selfName.value = name;
      this.#session.join();
    });
  }

  leave(): void {
    this.#end({ status: "left" });
  }

  rename(name: string): Problem | null {
    const problem = displayNameProblem(name);
    if (problem !== null) return problem;
    const trimmed = name.trim();
    if (trimmed === this.#selfName.value) return null;
    this.#selfName.value = trimmed;
    // Before we are in, the join carries the name; after, the room tells everyone (peer-state).
    if (this.#selfId.value !== null) this.#send({ type: "state", name: trimmed });
    return null;
  }

  #send(message: ClientMessage): void {
    this.#session.send(message);
  }

  /** Each of the room's messages, to the part that owns it (route.ts). */
  #route(message: ServerMessage): void {
    route(this.#routes, message);
  }

  /** ICE servers from a welcome or a refresh: into every connection, and a refresh before they expire. */
  #useIce(ice: IceConfig): void {
    const servers = this.#ice.use(ice);
    if (servers) this.#roster.setIceServers(servers);
  }

  #connectTo(peerId: string, awaitFirstOffer: boolean): PeerConnection {
    const connection = new PeerConnection({
      selfId: this.#selfId.value ?? "",
      peerId,
      localStream: this.#media.stream.value,
      iceServers: this.#ice.servers,
      iceTransportPolicy: this.#ice.transportPolicy,
      awaitFirstOffer,
      sendSignal: (data) => this.#send({ type: "signal", to: peerId, data }),
      canSignal: () => !this.#session.reconnecting,
      onData: (data) => {
        if (!this.#sfu.notice(peerId, data)) this.#chat.receive(peerId, data);
      },
    });
    // A shared screen goes out in the camera's place, from the first offer on.
    this.#mediaSync.prime(connection);
    return connection;
  }

  /** The call is over (left, removed, or failed): every part disposes of what it runs. */
  #end(how: CallEnd): void {
    if (isOver(this.#status.value)) return;
    batch(() => {
      if ("error" in how) {
        this.#error.value = how.error;
        this.#status.value = "error";
      } else {
        if (how.status === "removed") this.#removedBy.value = how.removedBy;
        this.#status.value = how.status;
      }
    });
    this.#session.close();
    const parts = [
      this.#entry,
      this.#door,
      this.#ice,
      this.#sfu,
      this.#roster,
      this.#mediaSync,
      this.#chat,
      this.#etiquette,
    ];
    for (const part of parts) part.dispose();
    this.#screen.stop();
    this.#media.stop();
  }
}
