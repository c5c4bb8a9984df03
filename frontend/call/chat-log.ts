import { batch, type ReadonlySignal, signal } from "@preact/signals-core";
import * as v from "valibot";
import { type Problem, problem } from "../i18n/problem";
import { parseChannelFrame } from "./peer/channel-frame";

/**
 * Chat travels over a WebRTC data channel to each peer, so the room never sees a word of it.
 * The other end is another browser running who knows what, so every message is validated here.
 */
export const MAX_CHAT_LENGTH = 2_000;
/** 2,000 characters escaped as \uXXXX are 12,000; anything longer is not ours. */
const MAX_FRAME_LENGTH = 16_384;
/** A long call's chat stays bounded in memory; the oldest messages go first. */
const MAX_KEPT = 500;

const ChatWire = v.strictObject({
  type: v.literal("chat"),
  text: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CHAT_LENGTH)),
});

export function encodeChat(text: string): string {
  return JSON.stringify({ type: "chat", text } satisfies v.InferOutput<typeof ChatWire>);
}

/** The text of a chat frame from a peer, or null for anything that is not a valid message. */
export function parseChat(data: unknown): string | null {
  const frame = parseChannelFrame(data, ChatWire, MAX_FRAME_LENGTH);
  return frame && frame.text.trim() !== "" ? frame.text : null;
}

/** Why `text` cannot be sent, or null. Length is in UTF-16 units, as the textarea's maxlength counts. */
export function chatTextProblem(text: string): Problem | null {
  if (text.trim() === "") return problem("writeMessageFirst");
  if (text.length > MAX_CHAT_LENGTH) return problem("messageTooLong", { max: MAX_CHAT_LENGTH });
  return null;
}

export interface ChatEntry {
  readonly id: number;
  /** The sender's peer id; null for our own messages. */
  readonly from: string | null;
  readonly name: string;
  readonly text: string;
  /** When it arrived here (ms since epoch): our clock, since a peer's may be wrong or lie. */
  readonly at: number;
  /** Not a message but a note about the sender: "flood" means messages from them were dropped. */
  readonly notice?: "flood";
}

export interface ChatState {
  readonly messages: ReadonlySignal<readonly ChatEntry[]>;
  /** Messages from others since the panel was last open. */
  readonly unread: ReadonlySignal<number>;
  readonly open: ReadonlySignal<boolean>;
  /** The others writing a message now, by peer id (typing.ts). */
  readonly typing: ReadonlySignal<readonly string[]>;
}

export class ChatLog implements Omit<ChatState, "typing"> {
  readonly #messages = signal<readonly ChatEntry[]>([]);
  readonly #unread = signal(0);
  readonly #open = signal(false);
  readonly messages: ReadonlySignal<readonly ChatEntry[]> = this.#messages;
  readonly unread: ReadonlySignal<number> = this.#unread;
  readonly open: ReadonlySignal<boolean> = this.#open;
  #nextId = 1;

  add(entry: Omit<ChatEntry, "id">): ChatEntry {
    const added = { ...entry, id: this.#nextId++ };
    batch(() => {
      this.#messages.value = [...this.#messages.value, added].slice(-MAX_KEPT);
      if (entry.from !== null && !entry.notice && !this.#open.value) this.#unread.value += 1;
    });
    return added;
  }

  setOpen(open: boolean): void {
    batch(() => {
      this.#open.value = open;
      if (open) this.#unread.value = 0;
    });
  }
}

/**
 * A link's `text` is what the page shows: the address as the browser parsed it (never the text as
 * typed, which can read as one site and go to another), and `host` is the part to emphasize.
 */
export type ChatPart = { kind: "text"; text: string } | { kind: "link"; text: string; href: string; host: string };

const LINK_CANDIDATE = /\bhttps?:\/\/[^\s<>"]+/gi;
/** Punctuation that ends a sentence more often than a URL. */
const TRAILING = /[.,;:!?'*)\]}]+$/;

/**
 * Splits a message into text and links. Only http and https become links (never javascript:,
 * data: and friends), and the view renders every part as text nodes, so markup in a message is
 * shown, never run.
 */
export function linkify(text: string): ChatPart[] {
  const parts: ChatPart[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK_CANDIDATE)) {
    const start = match.index;
    let candidate = match[0];
    const trailing = candidate.match(TRAILING)?.[0] ?? "";
    candidate = candidate.slice(0, candidate.length - trailing.length);
    // Keep a closing parenthesis the URL itself opened, as in Wikipedia links.
    if (trailing.startsWith(")") && countOf(candidate, "(") > countOf(candidate, ")")) candidate += ")";
    const link = safeLink(candidate);
    if (!link) continue;
    if (start > last) parts.push({ kind: "text", text: text.slice(last, start) });
    parts.push({ kind: "link", text: link.href, ...link });
    last = start + candidate.length;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

/**
 * The address a link really goes to. Credentials go: `https://bank.example@evil.example/` reads
 * as bank.example but visits evil.example, so the link carries no user or password and shows the
 * real host. An international domain name shows as the browser resolves it (punycode), so a
 * look-alike in another script cannot pass for the real one.
 */
function safeLink(candidate: string): { href: string; host: string } | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.username = "";
  url.password = "";
  return { href: url.href, host: url.hostname };
}

function countOf(text: string, char: string): number {
  return text.split(char).length - 1;
}
