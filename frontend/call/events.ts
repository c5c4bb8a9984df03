/**
 * The call's typed events: things that happen once (someone joined, someone left), as opposed to
 * state, which lives in signals. Views subscribe for cues such as sounds instead of diffing state.
 */

/** What each event carries. */
export interface CallEventMap {
  /** Someone new came into the call while we were in it (the room's peer-joined, or a new face after a reconnect). */
  "peer-joined": { readonly id: string; readonly name: string };
  /** Someone left the call for good (the room's peer-left, or a peer that did not come back after a restart). */
  "peer-left": { readonly id: string; readonly name: string };
}

export type CallEventType = keyof CallEventMap;
export type CallEventListener<K extends CallEventType> = (event: CallEventMap[K]) => void;

/** Subscribing; returns the function that unsubscribes (handy as a useEffect cleanup). */
export interface CallEvents {
  on<K extends CallEventType>(type: K, listener: CallEventListener<K>): () => void;
}

export class CallEmitter implements CallEvents {
  readonly #listeners = new Map<CallEventType, Set<(event: never) => void>>();

  on<K extends CallEventType>(type: K, listener: CallEventListener<K>): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends CallEventType>(type: K, event: CallEventMap[K]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) (listener as CallEventListener<K>)(event);
  }
}
