/**
 * How much chat a page takes from each peer. Chat comes straight from the other browsers over
 * data channels, so a hostile or broken peer can send as fast as its link allows, and every
 * message costs a render and a place in the log. A token bucket per peer lets a person paste a
 * few lines at once and keep talking, and drops a flood; the first dropped message of a flood
 * asks for one notice in the log, the rest go quietly, until that peer is heard again.
 */

/** Messages a peer may send at once. */
export const CHAT_BURST = 10;
/** Messages per second the bucket refills: faster than anyone types. */
export const CHAT_PER_SECOND = 1;

/** "accept" the message, drop it and "tell" (the first of a flood), or "drop" it quietly. */
export type ChatVerdict = "accept" | "tell" | "drop";

interface Bucket {
  tokens: number;
  at: number;
  /** Inside a flood that has already been noted. */
  dropping: boolean;
}

export class ChatBudget {
  readonly #buckets = new Map<string, Bucket>();

  take(peer: string, now: number): ChatVerdict {
    const bucket = this.#buckets.get(peer) ?? { tokens: CHAT_BURST, at: now, dropping: false };
    // A clock that goes backwards (a test, a changed system time) refills nothing.
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(CHAT_BURST, bucket.tokens + elapsed * CHAT_PER_SECOND);
    bucket.at = now;
    this.#buckets.set(peer, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.dropping = false;
      return "accept";
    }
    if (bucket.dropping) return "drop";
    bucket.dropping = true;
    return "tell";
  }

  forget(peer: string): void {
    this.#buckets.delete(peer);
  }
}
