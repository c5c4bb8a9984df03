/**
 * "<name> is typing…": told peer to peer over each connection's chat channel, like chat itself,
 * so the room never learns who types when. Ours is throttled (one frame per TYPING_RESEND_MS
 * while the person keeps typing, one "stopped" when the draft is emptied or the panel closed);
 * theirs lasts until they stop, send their message, leave, or TYPING_EXPIRES_MS pass without a
 * word (a peer that vanished mid-sentence must not type forever).
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import * as v from "valibot";
import { parseChannelFrame } from "./peer/channel-frame";

/** While someone keeps typing, how often the others are told again. */
export const TYPING_RESEND_MS = 2_500;
/** How long "is typing" lasts without being told again: two resends missed, and it goes. */
export const TYPING_EXPIRES_MS = 5_500;
/** `{"type":"typing","on":false}` is 27 characters; anything much longer is not a typing frame. */
const MAX_FRAME_LENGTH = 64;

const TypingWire = v.strictObject({ type: v.literal("typing"), on: v.boolean() });

export function encodeTyping(on: boolean): string {
  return JSON.stringify({ type: "typing", on } satisfies v.InferOutput<typeof TypingWire>);
}

/** Whether a peer's frame says it is typing (true) or stopped (false); null if it is no typing frame. */
export function parseTyping(data: unknown): boolean | null {
  return parseChannelFrame(data, TypingWire, MAX_FRAME_LENGTH)?.on ?? null;
}

/** Whether our typing needs a frame now: the first keystroke, then one per TYPING_RESEND_MS. */
export class TypingThrottle {
  #sentAt: number | null = null;

  /** A keystroke at `now`: true if "typing" should be sent. */
  typed(now: number): boolean {
    if (this.#sentAt !== null && now >= this.#sentAt && now - this.#sentAt < TYPING_RESEND_MS) return false;
    this.#sentAt = now;
    return true;
  }

  /** The draft emptied or the panel closed: true if "stopped" should be sent (they still think we type). */
  stopped(now: number): boolean {
    const told = this.#sentAt !== null && now - this.#sentAt < TYPING_EXPIRES_MS;
    this.#sentAt = null;
    return told;
  }
}

/** Who among the others is typing now, by peer id, oldest first. */
export class TypingPeers {
  readonly #typing = signal<readonly string[]>([]);
  readonly typing: ReadonlySignal<readonly string[]> = this.#typing;
  readonly #expiries = new Map<string, ReturnType<typeof setTimeout>>();

  heard(peer: string, on: boolean): void {
    clearTimeout(this.#expiries.get(peer));
    this.#expiries.delete(peer);
    const typing = this.#typing.value;
    const already = typing.includes(peer);
    if (on) {
      this.#expiries.set(
        peer,
        setTimeout(() => this.heard(peer, false), TYPING_EXPIRES_MS),
      );
      if (!already) this.#typing.value = [...typing, peer];
    } else if (already) {
      this.#typing.value = typing.filter((id) => id !== peer);
    }
  }

  dispose(): void {
    for (const timer of this.#expiries.values()) clearTimeout(timer);
    this.#expiries.clear();
    this.#typing.value = [];
  }
}
