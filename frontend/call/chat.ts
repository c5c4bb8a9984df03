/**
 * Chat in a call: straight from browser to browser over each connection's data channel (the room
 * never carries it). Sends ours to everyone, takes theirs within each sender's budget
 * (chat-budget.ts), and keeps the log the panel shows (chat-log.ts).
 */
import type { ReadonlySignal } from "@preact/signals-core";
import { type Problem, problem } from "../i18n/problem";
import { ChatBudget } from "./chat-budget";
import { ChatLog, type ChatState, chatTextProblem, encodeChat, parseChat } from "./chat-log";
import type { CallEmitter } from "./events";
import type { Member } from "./roster";
import { Scope } from "./scope";

export interface ChatDeps {
  members: ReadonlySignal<ReadonlyMap<string, Member>>;
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
  readonly state: ChatState = this.#log;

  constructor(deps: ChatDeps) {
    this.#deps = deps;
    // A peer that left takes its budget with it.
    this.#scope.add(deps.events.on("peer-left", ({ id }) => this.#budget.forget(id)));
  }

  /** Sends a message to everyone in the call; returns why it cannot be sent, or null. */
  send(text: string): Problem | null {
    const textProblem = chatTextProblem(text);
    if (textProblem !== null) return textProblem;
    if (!this.#deps.inCall()) return problem("notInCall");
    const frame = encodeChat(text);
    for (const member of this.#deps.members.value.values()) member.connection.sendData(frame);
    this.#log.add({ from: null, name: this.#deps.selfName.value, text, at: this.#deps.now() });
    return null;
  }

  /** A frame from a peer's chat channel, unvalidated. */
  receive(from: string, data: string): void {
    const member = this.#deps.members.value.get(from);
    if (!member) return;
    const now = this.#deps.now();
    // Every frame counts against the sender's budget, valid or not, before any work is done on it.
    const verdict = this.#budget.take(from, now);
    // The name is the room's record of the sender, never something the message claims.
    if (verdict === "tell") this.#log.add({ from, name: member.name, text: "", at: now, notice: "flood" });
    if (verdict !== "accept") return;
    const text = parseChat(data);
    if (text === null) {
      console.warn("natter: ignoring an invalid chat message from a peer");
      return;
    }
    this.#log.add({ from, name: member.name, text, at: now });
  }

  setOpen(open: boolean): void {
    this.#log.setOpen(open);
  }

  dispose(): void {
    this.#scope.dispose();
  }
}
