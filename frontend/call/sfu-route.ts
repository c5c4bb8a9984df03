/**
 * Mesh or SFU for this page, member by member: the room says which mode the call is in
 * (call-mode), and this part moves our media there without a frozen tile, make before break.
 *
 * To SFU: load the SFU modules (sfu/sfu-modules.ts, a chunk of its own), start the end-to-end
 * security, publish, pull everyone. A member's tile keeps its peer-to-peer stream until the
 * member's media through the SFU has decoded a frame; then the tile switches and we tell the
 * member so over our connection's data channel (a route notice). Our connection to a member
 * closes once both ends show each other through the SFU: we switched, and the member's notice
 * said it did too (or, should the notice never come, ROUTE_FALLBACK_MS after we switched).
 *
 * Back to mesh: every member gets a peer connection again; a tile switches back once its
 * peer-to-peer stream decodes, with a notice the other way; our SFU session closes once every
 * member showed us through the mesh (or ROUTE_FALLBACK_MS after we showed them all).
 *
 * A member that never reaches the SFU (its browser cannot encrypt frames) keeps its peer
 * connection: it offers, we answer (roster.ts), and its tile stays peer to peer.
 *
 * What the page says about its route (mediaRoute) is "sfu" only while our own media goes
 * through the SFU, encrypted: never on the room's word alone.
 */
import { type ReadonlySignal, signal, untracked } from "@preact/signals-core";
import type { CallMode, ClientMessage, ServerMessage } from "../../common/protocol";
import type { CallEmitter } from "./events";
import type { IceServers } from "./ice-config";
import type { LocalMediaHandle } from "./media/local-media-handle";
import type { ScreenShare } from "./media/screen-share";
import { receiverDecodes } from "./peer/decoded-media";
import { QUALITY_POLL_MS } from "./peer/quality";
import { receiverLevelDb } from "./peer/received-level";
import { ReceiverQuality } from "./peer/receiver-quality";
import type { Member, Roster, SfuView } from "./roster";
import { Scope } from "./scope";
import type { SfuCall, SfuMemberMedia } from "./sfu/sfu-call";
import type { SfuModules, SfuSecurityHandle } from "./sfu/sfu-modules";
import type { CallStatus } from "./status";

/**
 * How long a switch waits for the other end's notice before it breaks the old path anyway. The
 * notice rides the peer connection's own data channel, so it is lost only with the connection;
 * what this covers is a member whose new path never works (it cannot reach the SFU, say), which
 * would otherwise cost us the old path's upload for the rest of the call. Long, because breaking
 * early freezes that member's tile: a newcomer to a big call has the module to load, keys to
 * exchange and every member to pull, one request at a time, before it shows anyone through the SFU.
 */
export const ROUTE_FALLBACK_MS = 20_000;
/** How long after sending our route notice its connection may close (time for the data channel to deliver it). */
export const NOTICE_FLUSH_MS = 1_000;
/** How often a switching tile is checked for its first decoded frame on the new path. */
export const ROUTE_CHECK_MS = 250;

/** The frame on a peer connection's data channel that says which path we show that peer on. */
const NOTICE_PREFIX = '{"natter-route":';

export function routeNotice(via: CallMode): string {
  return `${NOTICE_PREFIX}"${via}"}`;
}

/** The route a data-channel frame announces, or null when it is not a route notice (chat, typing). */
export function parseRouteNotice(data: string): CallMode | null {
  if (data === routeNotice("sfu")) return "sfu";
  if (data === routeNotice("mesh")) return "mesh";
  return null;
}

export interface SfuRouteDeps {
  callMode: ReadonlySignal<CallMode>;
  status: ReadonlySignal<CallStatus>;
  selfId: ReadonlySignal<string | null>;
  roster: Roster;
  media: LocalMediaHandle;
  screen: ScreenShare;
  ice: IceServers;
  events: CallEmitter;
  send(message: ClientMessage): void;
  /** A chat frame a member sent us through the room, sealed end to end and opened. */
  onChat(from: string, frame: string): void;
  /** The SFU modules, loaded on demand (a test may hand in its own). */
  load?: () => Promise<SfuModules>;
  now(): number;
}

type Phase = "mesh" | "starting" | "sfu" | "unavailable";

export class SfuRoute {
  readonly #deps: SfuRouteDeps;
  readonly #scope = new Scope();
  /** Runs while an SFU session exists. */
  #running: Scope | null = null;
  #phase: Phase = "mesh";
  #call: SfuCall | null = null;
  #security: SfuSecurityHandle | null = null;
  /** The same, for views to follow. */
  readonly #securitySignal = signal<SfuSecurityHandle | null>(null);
  /** E2ee messages that came before the security was up (the others may start sooner than we do). */
  #early: { from: string; e2ee: unknown }[] = [];
  readonly #media = signal<ReadonlyMap<string, SfuMemberMedia>>(new Map());
  /** Members whose tiles show what comes through the SFU. */
  readonly #viaSfu = signal<ReadonlySet<string>>(new Set());
  /** When we switched each member (to either path), for the notice's fallback. */
  readonly #switchedAt = new Map<string, number>();
  /** The path each member said it shows us on. */
  readonly #heard = new Map<string, CallMode>();
  readonly #tileWidths = signal<ReadonlyMap<string, number | null>>(new Map());
  /** The quality badge of each member shown through the SFU, kept while it is. */
  readonly #qualities = new Map<string, ReceiverQuality>();
  readonly #route = signal<CallMode>("mesh");
  /** How this page's media travels (CallState.mediaRoute). */
  readonly route: ReadonlySignal<CallMode> = this.#route;
  #allMeshSince: number | null = null;
  #disposed = false;
  /** Every member's latest sfu-tracks, kept while no SFU session runs. */
  readonly #announced = new Map<string, Extract<ServerMessage, { type: "sfu-tracks" }>>();
  /** Who we were when the SFU session started (a new id after a reconnect means a new session). */
  #startedAs: string | null = null;
  readonly #restart = signal(0);

  constructor(deps: SfuRouteDeps) {
    this.#deps = deps;
    this.#scope.effect(() => {
      this.#restart.value;
      const mode = deps.callMode.value;
      const inCall = deps.status.value === "joined" && deps.selfId.value !== null;
      // Untracked: only the mode and our place in the call start a move, not what the move reads.
      untracked(() => {
        if (mode === "sfu" && inCall) void this.#toSfu();
        else if (mode === "mesh" && this.#phase !== "mesh") this.#toMesh();
      });
    });
    // A member who leaves takes its bookkeeping along.
    this.#scope.add(
      deps.events.on("peer-left", ({ id }) => {
        this.#switchedAt.delete(id);
        this.#heard.delete(id);
        this.#announced.delete(id);
        this.#call?.memberLeft(id);
        this.#setVia(id, false);
      }),
    );
  }

  /** Whether a member we meet now gets a peer connection: in mesh, and whenever the SFU cannot be used. */
  wantsMesh(): boolean {
    return this.#deps.callMode.peek() === "mesh" || this.#phase === "unavailable";
  }

  /** Whether the member's tile shows what comes through the SFU (a peer connection to it would be for nothing). */
  showsViaSfu(id: string): boolean {
    return this.#viaSfu.peek().has(id);
  }

  /** What SFU mode knows of a member, for its tile (roster.ts); null in mesh. Reads signals. */
  view(id: string): SfuView | null {
    const security = this.#securitySignal.value;
    if (!security) return null;
    const media = this.#viaSfu.value.has(id) ? this.#media.value.get(id) : undefined;
    const audio = media?.audio ?? null;
    return {
      shown: media
        ? {
            stream: media.stream,
            pip: media.pip,
            audioLevel: () => (audio ? receiverLevelDb(audio) : null),
            quality: this.#qualityOf(id).quality,
          }
        : null,
      safetyCode: security.safetyCode(id),
    };
  }

  /** One of the room's messages: true when it was the SFU's business. */
  receive(message: ServerMessage): boolean {
    if (message.type === "sfu-tracks") {
      // Kept in any mode: a call that turns to SFU mode pulls what was announced before it started.
      if (message.tracks.length === 0) this.#announced.delete(message.id);
      else this.#announced.set(message.id, message);
    }
    return this.#call?.receive(message) ?? message.type === "sfu-tracks";
  }

  /** A welcome, first or after a reconnect: as the same member, the room kept our SFU session. */
  welcomed(selfId: string): void {
    if (this.#startedAs === null) return;
    if (this.#startedAs === selfId) {
      this.#call?.socketReopened();
      return;
    }
    // The room forgot us: our SFU session went with it. Start over (the mode effect runs again).
    this.#stop();
    this.#restart.value += 1;
  }

  /**
   * The `e2ee` part of a relayed signal. Kept until both our security and the sender's place in
   * our roster exist: SfuSecurity drops a non-member's message, and a newcomer's roster gets the
   * people already in the call only once its media is up, after the SFU part may have started and
   * after their identities (each sent once) arrived.
   */
  receiveE2ee(from: string, e2ee: unknown): void {
    if (this.#security && this.#deps.roster.members.peek().has(from)) {
      this.#security.receive(from, e2ee);
      return;
    }
    this.#early.push({ from, e2ee });
    // A handful per member is plenty: an identity and a key or two each.
    if (this.#early.length > 400) this.#early.shift();
  }

  /** Hands the security what members sent before it could take it, in order, once they are members. */
  #flushEarly(security: SfuSecurityHandle, members: ReadonlySet<string>): void {
    const waiting = this.#early;
    this.#early = [];
    for (const message of waiting) {
      if (members.has(message.from)) security.receive(message.from, message.e2ee);
      else this.#early.push(message);
    }
  }

  /** Member `id` resumed after its room socket dropped: the keys we sent it meanwhile were lost, and go again. */
  peerReturned(id: string): void {
    this.#security?.peerReturned(id);
  }

  /** A data-channel frame from member `from`: true when it was a route notice (not chat). */
  notice(from: string, data: string): boolean {
    const via = parseRouteNotice(data);
    if (via === null) return false;
    this.#heard.set(from, via);
    this.#check();
    return true;
  }

  /** A chat frame for a member we have no peer connection with, sealed (dropped when SFU mode is not up: nobody could open it). */
  sendChat(to: string, frame: string): void {
    void this.#security?.sendChat(to, frame).catch(() => {});
  }

  /** How wide a member's tile is drawn, in device pixels (null: not drawn); the SFU sends the layer that fits. */
  setTileWidth(id: string, width: number | null): void {
    if (this.#tileWidths.peek().get(id) === width) return;
    this.#tileWidths.value = new Map(this.#tileWidths.peek()).set(id, width);
  }

  socketClosed(): void {
    this.#call?.socketClosed();
  }

  dispose(): void {
    this.#disposed = true;
    this.#scope.dispose();
    this.#stop();
  }

  /** Back to peer connections with everyone (an SFU we cannot use); a failure there is the connections' to report. */
  #connectAll(): void {
    if (this.#disposed) return;
    try {
      this.#deps.roster.connectAll();
    } catch (error) {
      console.warn("natter: could not connect to everyone peer to peer", error);
    }
  }

  async #toSfu(): Promise<void> {
    if (this.#phase === "sfu" || this.#phase === "starting" || this.#phase === "unavailable") {
      // Back to SFU before the way back to mesh finished: the session is still there.
      this.#allMeshSince = null;
      return;
    }
    this.#phase = "starting";
    const deps = this.#deps;
    try {
      const modules = await (deps.load ?? loadSfuModules)();
      const selfId = deps.selfId.peek();
      if (this.#disposed || this.#phase !== "starting" || selfId === null) return;
      const security = await modules.createSecurity({
        selfId,
        send: (to, e2ee) => deps.send({ type: "signal", to, data: { e2ee } }),
        onChat: (from, frame) => deps.onChat(from, frame),
      });
      if (this.#phase !== "starting") {
        security?.dispose();
        return;
      }
      if (!security) {
        // This browser cannot encrypt frames: we stay peer to peer with everyone who will.
        this.#phase = "unavailable";
        console.warn("natter: this browser cannot encrypt media end to end; staying peer to peer");
        this.#connectAll();
        return;
      }
      this.#security = security;
      this.#securitySignal.value = security;
      this.#call = new modules.SfuCall({
        send: deps.send,
        iceServers: deps.ice.servers ?? [],
        iceTransportPolicy: deps.ice.transportPolicy ?? "all",
        protection: security,
        now: deps.now,
      });
      this.#phase = "sfu";
      this.#startedAs = selfId;
      for (const news of this.#announced.values()) this.#call.receive(news);
      this.#run(this.#call, security);
    } catch (error) {
      if (this.#disposed) return;
      console.warn("natter: could not start SFU mode; staying peer to peer", error);
      this.#phase = "unavailable";
      this.#connectAll();
    }
  }

  #run(call: SfuCall, security: SfuSecurityHandle): void {
    const deps = this.#deps;
    const running = new Scope();
    this.#running = running;
    running.effect(() => {
      this.#media.value = call.media.value;
    });
    running.effect(() => {
      // While we go back to mesh, nothing new goes out through the SFU.
      if (deps.callMode.value === "sfu") this.#route.value = call.publishing.value ? "sfu" : this.#route.peek();
    });
    // Members whose media key we hold: only their tracks are pulled (a receiver that gets
    // encrypted video before its key may miss the key frame and never show a picture).
    const readable = signal<ReadonlySet<string>>(new Set());
    const asked = new Set<string>();
    running.effect(() => {
      const members = [...deps.roster.members.value.values()];
      security.setMembers(members.map((m) => m.id));
      // One who left and comes back gets new keys: asked again.
      const present = new Set(members.map((m) => m.id));
      // Members are known to the security before any of their messages is handed in.
      this.#flushEarly(security, present);
      for (const id of asked) if (!present.has(id)) asked.delete(id);
      if ([...readable.peek()].some((id) => !present.has(id)))
        readable.value = new Set([...readable.peek()].filter((id) => present.has(id)));
      for (const { id } of members) {
        if (asked.has(id)) continue;
        asked.add(id);
        void security.readable(id).then((ok) => {
          if (ok && !running.disposed) readable.value = new Set(readable.peek()).add(id);
        });
      }
    });
    // Members are known before we publish: a member added after our first frame costs a key rotation.
    running.effect(() => {
      call.setLocal({
        audio: deps.media.audioTrack.value,
        camera: deps.media.videoTrack.value,
        screen: deps.screen.track.value,
      });
    });
    running.effect(() => {
      const members = [...deps.roster.members.value.values()].filter((m) => readable.value.has(m.id));
      const widths = this.#tileWidths.value;
      call.setMembers(
        members.map((m) => ({
          id: m.id,
          tileWidth: widths.get(m.id) ?? null,
          // The active speaker is pulled first; the tiles' own order and sizes do the rest.
          speaking: false,
          sharing: m.screen,
        })),
      );
    });
    const timer = setInterval(() => this.#check(), ROUTE_CHECK_MS);
    running.add(() => clearInterval(timer));
    const poll = setInterval(() => void this.#sampleQuality(call), QUALITY_POLL_MS);
    running.add(() => clearInterval(poll));
  }

  #qualityOf(id: string): ReceiverQuality {
    let quality = this.#qualities.get(id);
    if (!quality) {
      quality = new ReceiverQuality();
      this.#qualities.set(id, quality);
    }
    return quality;
  }

  /** One quality sample of every member shown through the SFU (a peer connection samples its own, health.ts). */
  async #sampleQuality(call: SfuCall): Promise<void> {
    const ice = call.connection.iceConnectionState;
    const iceBroken = ice === "failed" || ice === "disconnected";
    const members = this.#deps.roster.members.peek();
    const shown = this.#viaSfu.peek();
    for (const id of this.#qualities.keys()) if (!shown.has(id)) this.#qualities.delete(id);
    for (const id of shown) {
      const member = members.get(id);
      const media = this.#media.peek().get(id);
      if (!member || !media) continue;
      const receivers = [media.audio, media.video].filter((r): r is RTCRtpReceiver => r !== null);
      await this.#qualityOf(id).sample(receivers, { audio: member.audio, video: expectsVideo(member) }, iceBroken);
    }
  }

  #toMesh(): void {
    if (this.#phase === "starting" || this.#phase === "unavailable") {
      this.#stop();
      return;
    }
    // Everyone gets a peer connection again; tiles switch back as their streams decode (#check).
    this.#allMeshSince = null;
    this.#deps.roster.connectAll();
    this.#check();
  }

  /** Moves tiles whose new path has decoded a frame, and breaks old paths both ends have left. */
  #check(): void {
    if (this.#checking || !this.#call) return;
    this.#checking = true;
    void this.#checkNow().finally(() => {
      this.#checking = false;
    });
  }

  #checking = false;

  async #checkNow(): Promise<void> {
    const deps = this.#deps;
    const toSfu = deps.callMode.peek() === "sfu";
    const now = deps.now();
    for (const member of deps.roster.members.peek().values()) {
      const via = this.#viaSfu.peek().has(member.id);
      if (toSfu && !via && (await this.#decodes(this.#media.peek().get(member.id), member))) {
        this.#switched(member, "sfu");
      } else if (!toSfu && via && member.connection && (await member.connection.decodes(expectsVideo(member)))) {
        this.#switched(member, "mesh");
      }
      const switchedAt = this.#switchedAt.get(member.id) ?? now;
      const heard = this.#heard.get(member.id);
      // Break the peer connection once both ends show each other through the SFU, but not in the
      // same moment our own notice went out: closing the connection at once can discard it unsent,
      // and the other end would then wait for the fallback with a frozen tile.
      if (toSfu && this.#viaSfu.peek().has(member.id) && member.connection && now - switchedAt >= NOTICE_FLUSH_MS) {
        if (heard === "sfu" || now - switchedAt >= ROUTE_FALLBACK_MS) deps.roster.dropConnection(member.id);
      }
    }
    if (toSfu || this.#phase !== "sfu") return;
    // Back in mesh: our SFU session goes once nobody shows us through it any more.
    if (this.#viaSfu.peek().size > 0) return;
    this.#allMeshSince ??= now;
    const members = [...deps.roster.members.peek().values()];
    const allHeard = members.every((m) => this.#heard.get(m.id) === "mesh" || !m.connection);
    if (allHeard || now - this.#allMeshSince >= ROUTE_FALLBACK_MS) this.#stop();
  }

  #switched(member: Member, via: CallMode): void {
    this.#setVia(member.id, via === "sfu");
    this.#switchedAt.set(member.id, this.#deps.now());
    member.connection?.sendData(routeNotice(via));
  }

  /** Whether the member's media through the SFU has decoded what its tile should show. */
  async #decodes(media: SfuMemberMedia | undefined, member: Member): Promise<boolean> {
    if (!media) return false;
    const receiver = expectsVideo(member) ? media.video : media.audio;
    if (!receiver) return false;
    return receiverDecodes(receiver);
  }

  #setVia(id: string, sfu: boolean): void {
    const now = this.#viaSfu.peek();
    if (now.has(id) === sfu) return;
    const next = new Set(now);
    if (sfu) next.add(id);
    else next.delete(id);
    this.#viaSfu.value = next;
  }

  /** Ends SFU mode on this page: the session, the security, and the route notice. */
  #stop(): void {
    this.#running?.dispose();
    this.#running = null;
    const call = this.#call;
    this.#call = null;
    const security = this.#security;
    this.#security = null;
    // The session (and the transforms on its senders and receivers) goes before the worker they run in.
    void (call ? call.close() : Promise.resolve()).finally(() => security?.dispose());
    this.#securitySignal.value = null;
    this.#early = [];
    this.#phase = "mesh";
    this.#viaSfu.value = new Set();
    this.#media.value = new Map();
    this.#qualities.clear();
    this.#switchedAt.clear();
    this.#heard.clear();
    this.#allMeshSince = null;
    this.#startedAs = null;
    this.#route.value = "mesh";
  }
}

function expectsVideo(member: Member): boolean {
  return member.video || member.screen;
}

/** The SFU modules, in a chunk of their own: a mesh call never downloads them. */
function loadSfuModules(): Promise<SfuModules> {
  return import("./sfu/sfu-modules").then((m) => m.sfuModules);
}
