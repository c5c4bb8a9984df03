/**
 * Coming into the call, and being turned away. The first welcome: media now, then the peers and
 * whatever they said while we waited for the camera (held here). A welcome after a reconnect: the
 * roster reconciles who we think is here with who the room says is. A denial: back to the door,
 * camera off; after a reconnect it means the room no longer knows us, and the old call is gone.
 */
import { batch, type Signal } from "@preact/signals-core";
import type { IceConfig, ServerMessage } from "../../common/protocol";
import type { Door } from "./door";
import type { CallError } from "./handle";
import type { LocalMediaHandle } from "./media/local-media-handle";
import type { ScreenShare } from "./media/screen-share";
import type { MediaSync } from "./media-sync";
import type { Roster } from "./roster";
import { type CallStatus, isInCall, isOver } from "./status";

type Welcome = Extract<ServerMessage, { type: "welcome" }>;

/** Messages that need our media (or the peers it is sent to) before they can be handled. */
const NEEDS_MEDIA: ReadonlySet<ServerMessage["type"]> = new Set(["peer-joined", "peer-left", "signal"]);

export interface EntryDeps {
  status: Signal<CallStatus>;
  selfId: Signal<string | null>;
  door: Door;
  roster: Roster;
  mediaSync: MediaSync;
  media: LocalMediaHandle;
  screen: ScreenShare;
  useIce(ice: IceConfig): void;
  /** Handles a message that waited for our media. */
  route(message: ServerMessage): void;
  fail(reason: CallError): void;
}

export class Entry {
  readonly #deps: EntryDeps;
  /** While our media is being acquired after the welcome, messages about peers wait here. */
  #held: ServerMessage[] | null = null;
  /** The room timed us out (4008) and told everyone we left: after the welcome, every connection starts over. */
  #forgotten = false;

  constructor(deps: EntryDeps) {
    this.#deps = deps;
  }

  /** Keeps a message about peers until our media is ready; true when it was kept. */
  hold(message: ServerMessage): boolean {
    if (!this.#held || !NEEDS_MEDIA.has(message.type)) return false;
    this.#held.push(message);
    return true;
  }

  /** The socket dropped because the room gave up on us (and told everyone we left). */
  forgotten(): void {
    this.#forgotten = true;
  }

  /** Let in: media now, then the peers (and anything they said while we waited for the camera). */
  async welcome(welcome: Welcome): Promise<void> {
    const { selfId, media, mediaSync, roster, status, route } = this.#deps;
    mediaSync.welcomed();
    if (selfId.value !== null) {
      this.#rejoin(welcome);
      return;
    }
    this.#welcomed(welcome);
    this.#held = [];
    // Ready since the hair check as a rule; otherwise the permission prompt opens now. Not awaited
    // when ready: an await lets the call view render first (a microtask), and the peers' offers,
    // already on their way, would wait for that render before we even have their connections.
    if (media.phase.value !== "ready") await media.start();
    // Left (or was removed) while the permission prompt was open: the end stopped the media.
    if (!isInCall(status.value)) return;
    mediaSync.start();
    const held = this.#held;
    this.#held = null;
    // They heard of us through peer-joined and are offering already; we answer.
    for (const peer of welcome.peers) roster.add(peer, { awaitFirstOffer: true });
    for (const message of held ?? []) route(message);
  }

  /** Welcomed again after the socket dropped: the roster reconciles who we think is here with who is. */
  #rejoin(welcome: Welcome): void {
    const sameCall = welcome.id === this.#deps.selfId.value && !this.#forgotten;
    this.#forgotten = false;
    this.#welcomed(welcome);
    if (this.#held) {
      // Still waiting for the camera from the first welcome: these peers join the queue.
      for (const peer of welcome.peers) this.#held.push({ type: "peer-joined", peer });
      return;
    }
    this.#deps.roster.reconcile(welcome.peers, sameCall);
  }

  /** What every welcome says, first or after a reconnect: who we are, the ICE servers, the lock, and that we are in. */
  #welcomed(welcome: Welcome): void {
    const { useIce, selfId, door, status } = this.#deps;
    useIce(welcome.ice);
    batch(() => {
      selfId.value = welcome.id;
      door.enter(welcome.lock);
      status.value = "joined";
    });
  }

  denied(message: Extract<ServerMessage, { type: "denied" }>): void {
    const { status, door, media } = this.#deps;
    const now = status.value;
    if (isOver(now) || now === "joined") return;
    if (now === "reconnecting") this.#forgetCall();
    // The socket stays open: the same socket may try a key or knock next.
    const access = batch(() => {
      const access = door.denied(message);
      if (access !== null) status.value = "outside";
      return access;
    });
    if (access === null) {
      this.#deps.fail("full");
      return;
    }
    // Nobody inside can receive our camera, and a knock can wait minutes: its light goes off at
    // the door and comes back on (same devices, same on/off choices) once we are let in.
    media.release();
  }

  /** The room turned us away after a reconnect (locked, full): back to the door, camera off. */
  #forgetCall(): void {
    const { roster, selfId, mediaSync, screen, media } = this.#deps;
    batch(() => {
      roster.clear();
      selfId.value = null;
    });
    mediaSync.stop();
    screen.stop();
    media.release();
  }

  dispose(): void {
    this.#held = null;
  }
}
