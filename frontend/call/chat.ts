/**
 * Chat in a call: straight from browser to browser over each connection's data channel (the room
 * never carries it), or in SFU mode, where there is no peer connection, sealed end to end with
 * the pair's key and relayed by the room, which cannot open it. Sends ours to everyone, takes theirs within each sender's budget
 * (chat-budget.ts), and keeps the log the panel shows (chat-log.ts) and who is typing (typing.ts,
 * whose frames share the channel and the budget).
 */
import type { ReadonlySignal } from "@preact/signals-core";
import { type Problem, problem } from "../i18n/problem";
import { ChatBudget } from "./chat-budget";
import { ChatLog, type ChatState, chatTextProblem, encodeChat, parseChat } from "./chat-log";
import type { CallEmitter } from "./events";
import type { Member } from "./roster";
import { Scope } from "./scope";
import { encodeTyping, parseTyping, TypingPeers, TypingThrottle } from "./typing";

export interface ChatDeps {
  members: ReadonlySignal<ReadonlyMap<string, Member>>;
  /**
   * Sends a frame to a member we have no peer connection with (SFU mode): sealed end to end and
   * relayed by the room (sfu-route.ts), which cannot read it.
   */
  sendSealed(to: string, frame: string): void;
  selfName: ReadonlySignal<string>;
  /** Whether we are in the call (joined or reconnecting): chat needs the others. */
  inCall(): boolean;
  events: CallEmitter;
  now(): number;
}

export class Chat {
  readonly #log = new ChatLog();
  readonly #budget = new ChatBudget();
  readonly #deps: ChatDeps;
  readonly #scope = new Scope();
  readonly #typingOut = new TypingThrottle();
  readonly #typingIn = new TypingPeers();
  readonly state: ChatState;

  constructor(deps: ChatDeps) {
    this.#deps = deps;
    const log = this.#log;
    this.state = { messages: log.messages, unread: log.unread, open: log.open, typing: this.#typingIn.typing };
    // A peer that left takes its budget and its "is typing" with it.
    this.#scope.add(
      deps.events.on("peer-left", ({ id }) => {
        this.#budget.forget(id);
        this.#typingIn.heard(id, false);
      }),
    );
    this.#scope.add(() => this.#typingIn.dispose());
  }

  /** Whether we are writing a message: the others are told, throttled (typing.ts). */
  setTyping(on: boolean): void {
    if (!this.#deps.inCall()) return;
    const now = this.#deps.now();
    if (!(on ? this.#typingOut.typed(now) : this.#typingOut.stopped(now))) return;
    this.#toEveryone(encodeTyping(on));
  }

  /** Sends a message to everyone in the call; returns why it cannot be sent, or null. */
  send(text: string): Problem | null {
    const textProblem = chatTextProblem(text);
    if (textProblem !== null) return textProblem;
    if (!this.#deps.inCall()) return problem("notInCall");
    this.#toEveryone(encodeChat(text));
    this.#log.add({ from: null, name: this.#deps.selfName.value, text, at: this.#deps.now() });
    // The message ends "is typing" on the other side; the next keystroke tells them again at once.
    this.#typingOut.stopped(this.#deps.now());
    return null;
  }

  /** Over each member's chat channel, or sealed through the room where there is none. */
  #toEveryone(frame: string): void {
    for (const member of this.#deps.members.value.values()) {
      if (member.connection) member.connection.sendData(frame);
      else this.#deps.sendSealed(member.id, frame);
    }
  }

  /** A frame from a peer's chat channel (or opened from a sealed one), unvalidated. */
  receive(from: string, data: string): void {
    const member = this.#deps.members.value.get(from);
    if (!member) return;
    const now = this.#deps.now();
    // Every frame counts against the sender's budget, valid or not, before any work is done on it.
    const verdict = this.#budget.take(from, now);
    // The name is the room's record of the sender, never something the message claims.
    if (verdict === "tell") this.#log.add({ from, name: member.name, text: "", at: now, notice: "flood" });
    if (verdict !== "accept") return;
    const typing = parseTyping(data);
    if (typing !== null) {
      this.#typingIn.heard(from, typing);
      return;
    }
    const text = parseChat(data);
    if (text === null) {
      console.warn("natter: ignoring an invalid chat message from a peer");
      return;
    }
    this.#typingIn.heard(from, false);
    this.#log.add({ from, name: member.name, text, at: now });
  }

  setOpen(open: boolean): void {
    this.#log.setOpen(open);
  }

  dispose(): void {
    this.#scope.dispose();
  }
}
