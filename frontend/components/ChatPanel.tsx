import { useEffect, useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import { type ChatEntry, type ChatPart, linkify, MAX_CHAT_LENGTH } from "../call/chat";
import { Icon } from "./Icon";

interface ChatPanelProps {
  messages: readonly ChatEntry[];
  /** Sends; returns why the message cannot be sent, or null. */
  onSend(text: string): string | null;
  onClose(): void;
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
/** Show how much room is left only when it starts to matter. */
const COUNT_FROM = MAX_CHAT_LENGTH - 200;

/**
 * The chat, beside the call (over it on a phone). Not a modal dialog: people keep watching and
 * talking while they type. Focus goes to the message box on open; Escape closes the panel, and
 * the page puts focus back on the Chat button.
 */
export function ChatPanel({ messages, onSend, onClose }: ChatPanelProps) {
  const id = useId();
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const log = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  useEffect(() => {
    input.current?.focus();
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
        <h2 id={`${id}-title`}>Chat</h2>
        <button type="button" class="icon-button" aria-label="Close chat" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      <p class="chat__note">Messages go straight to the people in the call. They are not stored anywhere.</p>
      <div
        ref={log}
        class="chat__log"
        role="log"
        aria-label="Messages"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to be scrolled without a mouse
        tabIndex={0}
        onScroll={(event) => {
          const list = event.currentTarget;
          stickToBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
        }}
      >
        {messages.length === 0 && <p class="chat__empty">No messages yet.</p>}
        <ol class="chat__list">
          {messages.map((message) => (
            <li key={message.id} class={message.from === null ? "chat__message chat__message--own" : "chat__message"}>
              <p class="chat__meta">
                <span class="chat__name">{message.from === null ? "You" : message.name}</span>{" "}
                <time dateTime={new Date(message.at).toISOString()}>{TIME.format(message.at)}</time>
              </p>
              <p class="chat__text">
                <MessageText parts={linkify(message.text)} />
              </p>
            </li>
          ))}
        </ol>
      </div>
      <form
        class="chat__form"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
        noValidate
      >
        <label for={`${id}-input`} class="visually-hidden">
          Message to everyone
        </label>
        <textarea
          ref={input}
          id={`${id}-input`}
          rows={2}
          maxLength={MAX_CHAT_LENGTH}
          placeholder="Message to everyone"
          value={draft}
          aria-describedby={`${id}-count ${id}-problem`}
          onInput={(event) => {
            setDraft(event.currentTarget.value);
            setProblem(null);
          }}
          onKeyDown={(event) => {
            // Enter sends, Shift+Enter starts a new line; never while an input method is composing.
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="icon-button chat__send" aria-label="Send message">
          <Icon name="send" />
        </button>
        <p id={`${id}-count`} class="chat__count" aria-live="polite">
          {draft.length >= COUNT_FROM && `${draft.length.toLocaleString()} of ${MAX_CHAT_LENGTH.toLocaleString()}`}
        </p>
        <p id={`${id}-problem`} class="form-problem" role="alert">
          {problem}
        </p>
      </form>
    </section>
  );
}

/**
 * Text and links as Preact children: strings become text nodes, so markup in a message is shown
 * as typed and never parsed. Links open in a new tab that cannot reach back to this page
 * (noopener) or learn its address, which names the room (noreferrer).
 */
export function MessageText({ parts }: { parts: readonly ChatPart[] }) {
  return (
    <>
      {parts.map((part, index) =>
        part.kind === "link" ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </>
  );
}
