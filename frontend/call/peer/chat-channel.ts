/**
 * A connection's chat channel (chat-log.ts says what goes in it): peer to peer, so the room never
 * sees it. Negotiated with the same id on both sides, it rides in the first offer with the media
 * and neither side has to announce it, so chat adds no extra offer (and no extra glare).
 */

/** Chat frames kept for a channel that has not opened yet. */
const MAX_OUTBOX = 50;

export class ChatChannel {
  readonly #channel: RTCDataChannel;
  /** Frames written before the channel opened. */
  #outbox: string[] = [];

  constructor(pc: RTCPeerConnection, onData?: (data: string) => void) {
    this.#channel = pc.createDataChannel("chat", { negotiated: true, id: 0 });
    this.#channel.onopen = () => {
      for (const text of this.#outbox) this.#channel.send(text);
      this.#outbox = [];
    };
    this.#channel.onmessage = ({ data }: MessageEvent<unknown>) => {
      if (typeof data === "string") onData?.(data);
    };
  }

  /** Sends a chat frame; a few written before the channel opens wait for it (it opens with the connection). */
  send(text: string): void {
    if (this.#channel.readyState === "open") this.#channel.send(text);
    else if (this.#channel.readyState === "connecting" && this.#outbox.length < MAX_OUTBOX) this.#outbox.push(text);
  }

  close(): void {
    this.#channel.onopen = null;
    this.#channel.onmessage = null;
    this.#outbox = [];
  }
}
