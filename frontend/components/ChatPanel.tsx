import type { ComponentChildren } from "preact";
import { useEffect, useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import { type ChatEntry, MAX_CHAT_LENGTH } from "../call/chat-log";
import { labelFor, type NameLabel } from "../call/names";
import { t } from "../i18n/active";
import type { Catalog } from "../i18n/en";
import { fill, format } from "../i18n/format";
import { choose } from "../i18n/plural";
import { type Problem, say } from "../i18n/problems";
import { ChatItem } from "./ChatMessage";
import { Icon } from "./Icon";
import { PersonName } from "./PersonName";
import "../styles/controls.css";
import "./SidePanel.css";
import "./ChatPanel.css";

interface ChatPanelProps {
  messages: readonly ChatEntry[];
  /** Labels that tell apart people with the same name; senders not in it show their bare name. */
  labels?: ReadonlyMap<string, NameLabel>;
  /** Sends; returns why the message cannot be sent, or null. */
  onSend(text: string): Problem | null;
  onClose(): void;
  /** The others writing a message now. */
  typing?: readonly NameLabel[];
  /** Whether we are writing one (a draft that is not blank); false when the panel closes. */
  onTyping?(on: boolean): void;
}

/** Show how much room is left only when it starts to matter. */
const COUNT_FROM = MAX_CHAT_LENGTH - 200;

/**
 * The chat, beside the call (over it on a phone). Not a modal dialog: people keep watching and
 * talking while they type. Focus goes to the message box on open; Escape closes the panel, and
 * the page puts focus back on the Chat button.
 */
export function ChatPanel({ messages, labels = NO_LABELS, onSend, onClose, typing = [], onTyping }: ChatPanelProps) {
  const id = useId();
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const text = t();
  const input = useRef<HTMLTextAreaElement>(null);
  const log = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  const typingNow = useRef(onTyping);
  typingNow.current = onTyping;

  useEffect(() => {
    input.current?.focus();
    // A draft left in a closed panel is not being written.
    return () => typingNow.current?.(false);
  }, []);

  useLayoutEffect(() => {
    // Follow new messages unless the person scrolled up to read older ones.
    const list = log.current;
    if (list && stickToBottom.current) list.scrollTop = list.scrollHeight;
  }, [messages]);

  const send = () => {
    const reason = onSend(draft);
    setProblem(reason);
    if (reason === null) setDraft("");
  };

  return (
    <section
      class="chat"
      id="chat-panel"
      aria-labelledby={`${id}-title`}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <header class="chat__header">
        <h2 id={`${id}-title`}>{text.chat}</h2>
        <button type="button" class="icon-button" aria-label={text.closeChat} onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      <p class="chat__note">{text.chatNote}</p>
      <div
        ref={log}
        class="chat__log"
        role="log"
        aria-label={text.messages}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to be scrolled without a mouse
        tabIndex={0}
        onScroll={(event) => {
          const list = event.currentTarget;
          stickToBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
        }}
      >
        {messages.length === 0 && <p class="chat__empty">{text.noMessagesYet}</p>}
        <ol class="chat__list">
          {messages.map((message) => {
            const label = labelFor(labels, message.from, message.name);
            return <ChatItem key={message.id} entry={message} name={label.name} tag={label.tag} text={text} />;
          })}
        </ol>
      </div>
      <p class="chat__typing" role="status">
        {typingText(typing, t())}
      </p>
      <form
        class="chat__form"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
        noValidate
      >
        <label for={`${id}-input`} class="visually-hidden">
          {text.messageToEveryone}
        </label>
        <textarea
          ref={input}
          id={`${id}-input`}
          rows={2}
          maxLength={MAX_CHAT_LENGTH}
          placeholder={text.messageToEveryone}
          value={draft}
          aria-describedby={`${id}-count ${id}-problem`}
          onInput={(event) => {
            setDraft(event.currentTarget.value);
            setProblem(null);
            onTyping?.(event.currentTarget.value.trim() !== "");
          }}
          onKeyDown={(event) => {
            // Enter sends, Shift+Enter starts a new line; never while an input method is composing.
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="icon-button chat__send" aria-label={text.sendMessage}>
          <Icon name="send" />
        </button>
        <p id={`${id}-count`} class="chat__count" aria-live="polite">
          {draft.length >= COUNT_FROM &&
            format(text.charactersUsed, {
              count: draft.length.toLocaleString(text.locale),
              max: MAX_CHAT_LENGTH.toLocaleString(text.locale),
            })}
        </p>
        <p id={`${id}-problem`} class="form-problem" role="alert">
          {problem && say(problem)}
        </p>
      </form>
    </section>
  );
}

const NO_LABELS: ReadonlyMap<string, NameLabel> = new Map();

/** "Ada is typing…", "Ada and Bob are typing…", and past two, how many (no list of names). */
function typingText(typing: readonly NameLabel[], text: Catalog): ComponentChildren {
  const [first, second] = typing;
  if (typing.length > 2) return choose(text.locale, text.typingMany, typing.length);
  if (first && second)
    return fill(text.typingTwo, { first: <PersonName label={first} />, second: <PersonName label={second} /> });
  return first ? fill(text.typingOne, { name: <PersonName label={first} /> }) : null;
}
