/**
 * Raised hands and reactions, as the room tells them. A hand is the room's state (welcome,
 * peer-joined, peer-state, peer-left carry it, for us as for everyone), so this part only
 * mirrors it; a reaction is shown for a few seconds and then forgotten, as the room forgets it.
 */
import { computed, type ReadonlySignal, signal } from "@preact/signals-core";
import type { ClientMessage, PeerInfo, Reaction } from "../../common/protocol";
import { Scope } from "./scope";

/** How long a reaction floats over its sender's tile. */
export const REACTION_SHOW_MS = 4_000;

/** A reaction on screen: `key` tells two of the same emoji from the same person apart. */
export interface ShownReaction {
  readonly key: number;
  readonly from: string;
  readonly emoji: Reaction;
}

export interface EtiquetteState {
  /** Whose hand is up, by peer id (ours included), in the order they went up. */
  readonly hands: ReadonlySignal<readonly string[]>;
  /** Reactions on screen now, oldest first. */
  readonly reactions: ReadonlySignal<readonly ShownReaction[]>;
}

export class Etiquette implements EtiquetteState {
  /** Peer id → the room's order number for the hand. */
  readonly #hands = signal<ReadonlyMap<string, number>>(new Map());
  readonly #reactions = signal<readonly ShownReaction[]>([]);
  readonly hands: ReadonlySignal<readonly string[]>;
  readonly reactions: ReadonlySignal<readonly ShownReaction[]> = this.#reactions;
  readonly #send: (message: ClientMessage) => void;
  readonly #scope = new Scope();
  #nextKey = 0;

  constructor(send: (message: ClientMessage) => void) {
    this.#send = send;
    this.hands = computed(() =>
      [...this.#hands.value.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id),
    );
  }

  raise(): void {
    this.#send({ type: "raise-hand" });
  }

  /** Lowers our hand (no id) or someone's, after they have spoken. */
  lower(id?: string): void {
    this.#send(id === undefined ? { type: "lower-hand" } : { type: "lower-hand", id });
  }

  react(emoji: Reaction): void {
    this.#send({ type: "react", emoji });
  }

  /** A welcome is the whole truth: every hand up now, ours included (a resume keeps it). */
  welcome(peers: readonly PeerInfo[], self?: { id: string; hand?: number | undefined }): void {
    const hands = new Map<string, number>();
    if (self?.hand !== undefined) hands.set(self.id, self.hand);
    for (const peer of peers) if (peer.hand !== undefined) hands.set(peer.id, peer.hand);
    this.#hands.value = hands;
  }

  /** peer-joined or peer-state, about anyone, us included. */
  update(peer: PeerInfo): void {
    const had = this.#hands.value.get(peer.id);
    if (had === peer.hand) return;
    const hands = new Map(this.#hands.value);
    if (peer.hand === undefined) hands.delete(peer.id);
    else hands.set(peer.id, peer.hand);
    this.#hands.value = hands;
  }

  left(id: string): void {
    if (!this.#hands.value.has(id)) return;
    const hands = new Map(this.#hands.value);
    hands.delete(id);
    this.#hands.value = hands;
  }

  reaction(from: string, emoji: Reaction): void {
    const shown = { key: this.#nextKey++, from, emoji };
    this.#reactions.value = [...this.#reactions.value, shown];
    this.#scope.later(REACTION_SHOW_MS, () => {
      this.#reactions.value = this.#reactions.value.filter((r) => r !== shown);
    });
  }

  dispose(): void {
    this.#scope.dispose();
    this.#reactions.value = [];
  }
}
