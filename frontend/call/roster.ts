/**
 * Who else is in the call: one member (and one peer connection) per remote peer, from the room's
 * word (welcome, peer-joined, peer-left, peer-state) and the peers' own signals. It reconciles a
 * welcome after a reconnect, keeps a missing peer's tile for a while in case it comes back, and
 * announces exact joins and leaves as events.
 */
import { batch, computed, type ReadonlySignal, signal } from "@preact/signals-core";
import type { PeerInfo, SignalData } from "../../common/protocol";
import type { CallEmitter } from "./events";
import { labelFor, labelPeople, type NameLabel } from "./names";
import type { PeerConnection } from "./peer/peer-connection";
import type { ConnectionQuality } from "./peer/quality";
import type { SafetyState } from "./peer/safety-exchange";
import { Scope } from "./scope";
import type { Verification } from "./verification";

/**
 * How long a peer missing from the welcome after a reconnect keeps its tile. When the room
 * restarts (a deploy), it forgets everyone and each member resumes on its own back-off (up to
 * 8 s), plus a reload of the Durable Object: a little longer than the room's 20 s grace.
 */
export const PEER_RETURN_GRACE_MS = 25_000;

/** A remote peer as views see it. */
export interface Peer {
  readonly id: string;
  readonly name: string;
  /** Null until the first remote track arrives. */
  readonly stream: MediaStream | null;
  /** Their camera as a thumbnail beside their shared screen, when they send it (peer/camera-pip.ts). */
  readonly pip?: MediaStream | null;
  /**
   * What the peer says about its media (peer-state): microphone on, camera on, sharing a screen
   * (sent in place of the camera). Until it says, a peer counts as having both on.
   */
  readonly audio: boolean;
  readonly video: boolean;
  readonly screen: boolean;
  /** How good the connection to this peer is (a signal: only the badge redraws every poll). */
  readonly quality?: ReadonlySignal<ConnectionQuality | null>;
  /** How loud the peer is now, dBFS, from the audio we receive (peer/received-level.ts). */
  readonly audioLevel?: () => number | null;
  /** The connection's safety code, to compare aloud: waiting, the code, or failed (safety-exchange.ts). */
  readonly safetyCode?: ReadonlySignal<SafetyState>;
  /** Whether the people marked this connection's current safety code as verified (verification.ts). */
  readonly verified?: boolean;
}

export interface Member {
  readonly id: string;
  readonly name: string;
  /** Our peer connection to the member; null in SFU mode once its media comes through the SFU (sfu-route.ts). */
  readonly connection: PeerConnection | null;
  readonly audio: boolean;
  readonly video: boolean;
  readonly screen: boolean;
}

/** What SFU mode knows of a member (sfu-route.ts). */
export interface SfuView {
  /** Its media through the SFU, once its tile shows that rather than our peer connection's. */
  shown: {
    stream: MediaStream | null;
    pip: MediaStream | null;
    audioLevel: () => number | null;
    /** What arrives from the member through the SFU, for its badge (peer/receiver-quality.ts). */
    quality: ReadonlySignal<ConnectionQuality | null>;
  } | null;
  /** The code over our end-to-end keys (for a member we have no peer connection with). */
  safetyCode: ReadonlySignal<SafetyState> | null;
}

export interface RosterDeps {
  selfId: ReadonlySignal<string | null>;
  selfName: ReadonlySignal<string>;
  /**
   * A new connection to `peerId`; `awaitFirstOffer` when the peer is the one offering. Null when
   * the call goes through the SFU: members met then get no peer connection unless they offer one
   * (`offered`: their offer is in hand).
   */
  connect(peerId: string, awaitFirstOffer: boolean, offered?: boolean): PeerConnection | null;
  /** The member's media and safety code when they come through the SFU (sfu-route.ts), else null. */
  viaSfu?(id: string): SfuView | null;
  verification: Verification;
  events: CallEmitter;
}

export class Roster {
  readonly #members = signal<ReadonlyMap<string, Member>>(new Map());
  readonly members: ReadonlySignal<ReadonlyMap<string, Member>> = this.#members;
  readonly peers: ReadonlySignal<readonly Peer[]>;
  readonly #deps: RosterDeps;
  readonly #scope = new Scope();
  /** Ids that said goodbye: a late signal from one of them must not resurrect its tile. */
  readonly #departed = new Set<string>();
  /** Peers missing from a welcome after we reconnected, each dropped unless it comes back in time. */
  readonly #returnWaits = new Map<string, () => void>();

  constructor(deps: RosterDeps) {
    this.#deps = deps;
    this.peers = computed(() =>
      [...this.#members.value.values()].map((m) => {
        const sfu = deps.viaSfu?.(m.id)?.shown ?? null;
        const connection = m.connection;
        const safetyCode = this.safetyCodeOf(m);
        return {
          id: m.id,
          name: m.name,
          stream: sfu ? sfu.stream : (connection?.remoteStream.value ?? null),
          pip: sfu ? sfu.pip : (connection?.remotePip.value ?? null),
          audio: m.audio,
          video: m.video,
          screen: m.screen,
          ...((sfu || connection) && { quality: sfu ? sfu.quality : (connection as PeerConnection).quality }),
          ...((sfu || connection) && { audioLevel: sfu ? sfu.audioLevel : (connection as PeerConnection).audioLevel }),
          ...(safetyCode && { safetyCode, verified: deps.verification.isVerified(m.id, safetyCode) }),
        };
      }),
    );
  }

  /**
   * The safety code that covers a member: our peer connection's while we have one (it carries
   * the chat), else the SFU mode's code over the end-to-end keys.
   */
  safetyCodeOf(member: Member): ReadonlySignal<SafetyState> | null {
    return member.connection?.safetyCode ?? this.#deps.viaSfu?.(member.id)?.safetyCode ?? null;
  }

  /** A peer we should be connected to; returns its member, or null for ourselves and for peers that left. */
  add(peer: PeerInfo, { awaitFirstOffer = false }: { awaitFirstOffer?: boolean } = {}): Member | null {
    const selfId = this.#deps.selfId.value;
    if (selfId === null || peer.id === selfId || this.#departed.has(peer.id)) return null;
    const members = this.#members.value;
    const existing = members.get(peer.id);
    if (existing) {
      if (existing.name !== peer.name)
        this.#members.value = new Map(members).set(peer.id, { ...existing, name: peer.name });
      return existing;
    }
    const member: Member = {
      id: peer.id,
      name: peer.name,
      connection: this.#deps.connect(peer.id, awaitFirstOffer),
      audio: peer.audio ?? true,
      video: peer.video ?? true,
      screen: peer.screen ?? false,
    };
    member.connection?.expectMedia({ video: member.video || member.screen, audio: member.audio });
    this.#members.value = new Map(members).set(peer.id, member);
    return member;
  }

  /**
   * peer-joined. A known id is someone whose socket dropped and who resumed: still here, with the
   * same connection (media never stopped). An id that had left is back after everyone was told it
   * left (it was gone too long): a new connection, as for anyone new.
   */
  joined(peer: PeerInfo): void {
    const known = this.#members.value.get(peer.id);
    if (known) {
      this.#cancelReturnWait(peer.id);
      known.connection?.peerReturned();
    } else {
      this.#departed.delete(peer.id);
    }
    if (this.add(peer) && !known) this.#deps.events.emit("peer-joined", { id: peer.id, name: peer.name });
  }

  /** peer-left, or a missing peer that did not come back in time. */
  remove(id: string): void {
    this.#cancelReturnWait(id);
    this.#departed.add(id);
    const member = this.#members.value.get(id);
    if (!member) return;
    member.connection?.close();
    const members = new Map(this.#members.value);
    members.delete(id);
    this.#members.value = members;
    this.#deps.events.emit("peer-left", { id, name: member.name });
  }

  /** peer-state: a peer renamed itself, muted, turned its camera off, or started or stopped sharing. */
  update(peer: PeerInfo): void {
    const member = this.#members.value.get(peer.id);
    if (!member) return;
    const updated: Member = {
      ...member,
      name: peer.name,
      audio: peer.audio ?? member.audio,
      video: peer.video ?? member.video,
      screen: peer.screen ?? member.screen,
    };
    updated.connection?.expectMedia({ video: updated.video || updated.screen, audio: updated.audio });
    this.#members.value = new Map(this.#members.value).set(peer.id, updated);
  }

  /** A signal relayed by the room, to the connection it belongs to. */
  signal(from: string, data: SignalData): void {
    let member = this.#members.value.get(from);
    // The peer forgot us (we were away too long) and offers from a brand-new connection: follow it.
    if (member?.connection?.isFromAnotherConnection(data)) member = this.#startOver(member) ?? undefined;
    // In SFU mode, a member that offers a peer connection (its browser cannot use the SFU, or it is
    // still on its way over) gets one: we answer.
    if (member && !member.connection) member = this.#connect(member, true, true);
    // The room announces peers before relaying their signals, so an unknown sender is a race we can absorb.
    member ??= this.add({ id: from, name: "Guest" }, { awaitFirstOffer: true }) ?? undefined;
    void member?.connection?.handleSignal(data);
  }

  /**
   * Welcomed again after the socket dropped: who we think is here against who the room says is.
   * `sameCall` is false when everyone was told we left: whatever connections we hold, the other ends are gone.
   */
  reconcile(peers: readonly PeerInfo[], sameCall: boolean): void {
    if (!sameCall) for (const member of this.#members.value.values()) this.#startOver(member);
    const inRoom = new Set(peers.map((peer) => peer.id));
    for (const peer of peers) {
      const known = this.#members.value.has(peer.id);
      this.#departed.delete(peer.id);
      this.#cancelReturnWait(peer.id);
      // New faces joined while we were away; they saw us in their welcome or will hear peer-joined, and offer.
      if (this.add(peer, { awaitFirstOffer: true }) && !known)
        this.#deps.events.emit("peer-joined", { id: peer.id, name: peer.name });
    }
    // After the room restarted, people reconnect one by one: the missing may be on their way back.
    for (const id of this.#members.value.keys()) if (!inRoom.has(id)) this.#awaitReturn(id);
  }

  /** How the call shows `id` right now: with a tag if someone else here has the same name. */
  labelOf(id: string, name: string): NameLabel {
    const self = { id: this.#deps.selfId.value ?? "", name: this.#deps.selfName.value };
    return labelFor(labelPeople([self, ...this.#members.value.values()]), id, name);
  }

  setIceServers(servers: RTCIceServer[]): void {
    for (const member of this.#members.value.values()) member.connection?.setIceServers(servers);
  }

  /** Closes our peer connection to `id` and keeps the member (its media comes through the SFU now). */
  dropConnection(id: string): void {
    const member = this.#members.value.get(id);
    if (!member?.connection) return;
    member.connection.close();
    this.#members.value = new Map(this.#members.value).set(id, { ...member, connection: null });
  }

  /** A peer connection to every member that has none (the call is back to mesh); both ends offer, perfect negotiation sorts it out. */
  connectAll(): void {
    batch(() => {
      for (const member of this.#members.value.values()) if (!member.connection) this.#connect(member, false);
    });
  }

  #connect(member: Member, awaitFirstOffer: boolean, offered = false): Member {
    const connection = this.#deps.connect(member.id, awaitFirstOffer, offered);
    if (!connection) return member;
    connection.expectMedia({ video: member.video || member.screen, audio: member.audio });
    const connected = { ...member, connection };
    this.#members.value = new Map(this.#members.value).set(member.id, connected);
    return connected;
  }

  /** A new connection in the same tile, answering the peer's next offer. */
  #startOver(member: Member): Member | null {
    member.connection?.close();
    return batch(() => {
      const members = new Map(this.#members.value);
      members.delete(member.id);
      this.#members.value = members;
      const fresh = this.add({ id: member.id, name: member.name }, { awaitFirstOffer: true });
      if (!fresh) return null;
      const kept = { ...member, connection: fresh.connection };
      kept.connection?.expectMedia({ video: member.video || member.screen, audio: member.audio });
      this.#members.value = new Map(this.#members.value).set(member.id, kept);
      return kept;
    });
  }

  #awaitReturn(id: string): void {
    if (this.#returnWaits.has(id)) return;
    const cancel = this.#scope.later(PEER_RETURN_GRACE_MS, () => {
      this.#returnWaits.delete(id);
      this.remove(id);
    });
    this.#returnWaits.set(id, cancel);
  }

  #cancelReturnWait(id: string): void {
    this.#returnWaits.get(id)?.();
    this.#returnWaits.delete(id);
  }

  /** Everyone gone at once (turned away after a reconnect, or the call is over): every connection closed. */
  clear(): void {
    for (const cancel of this.#returnWaits.values()) cancel();
    this.#returnWaits.clear();
    for (const member of this.#members.value.values()) member.connection?.close();
    this.#members.value = new Map();
  }

  dispose(): void {
    this.#scope.dispose();
    this.clear();
  }
}
