/**
 * One chat message as the log draws it: the sender, the time, and the text with its links made
 * safe to follow. Apart from the panel (ChatPanel.tsx), which holds the draft, the log's scrolling
 * and who is typing.
 */
import { Component } from "preact";
import { type ChatEntry, type ChatPart, linkify } from "../call/chat-log";
import type { Catalog } from "../i18n/en";
import { fill } from "../i18n/format";
import { PersonName } from "./PersonName";

/** One formatter per language (making one is slow; a chat may render hundreds of times). */
const TIMES = new Map<string, Intl.DateTimeFormat>();
function timeFormat(locale: string): Intl.DateTimeFormat {
  let format = TIMES.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" });
    TIMES.set(locale, format);
  }
  return format;
}
interface ChatItemProps {
  entry: ChatEntry;
  /** The sender's label, as plain strings so that an unchanged item can be told at a glance. */
  name: string;
  tag: string | null;
  /** The catalog to speak in: a new language redraws every item. */
  text: Catalog;
}

/**
 * One message. Entries never change once logged, so an item draws again only when its sender's
 * label does: a new message costs one item, not the whole log (and linkify runs once per message).
 */
export class ChatItem extends Component<ChatItemProps> {
  override shouldComponentUpdate(next: ChatItemProps): boolean {
    const { entry, name, tag } = this.props;
    return next.entry !== entry || next.name !== name || next.tag !== tag || next.text !== this.props.text;
  }

  override render({ entry, name, tag, text }: ChatItemProps) {
    const label = { name, tag };
    if (entry.notice === "flood") {
      return (
        <li class="chat__message chat__notice">{fill(text.messagesDropped, { name: <PersonName label={label} /> })}</li>
      );
    }
    return (
      <li class={entry.from === null ? "chat__message chat__message--own" : "chat__message"}>
        <p class="chat__meta">
          <span class="chat__name">{entry.from === null ? text.you : <PersonName label={label} />}</span>{" "}
          <time dateTime={new Date(entry.at).toISOString()}>{timeFormat(text.locale).format(entry.at)}</time>
        </p>
        <p class="chat__text" dir="auto">
          <MessageText parts={linkify(entry.text)} />
        </p>
      </li>
    );
  }
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
          <a key={index} class="chat__link" href={part.href} target="_blank" rel="noopener noreferrer" dir="ltr">
            <LinkText text={part.text} host={part.host} />
          </a>
        ) : (
          part.text
        ),
      )}
    </>
  );
}

/** The address with its host in bold: the one part that says which site a link opens. */
function LinkText({ text, host }: { text: string; host: string }) {
  const start = text.indexOf("//") + 2;
  if (start < 2 || host === "" || text.slice(start, start + host.length) !== host) return <>{text}</>;
  return (
    <>
      {text.slice(0, start)}
      <strong class="chat__host">{host}</strong>
      {text.slice(start + host.length)}
    </>
  );
}
