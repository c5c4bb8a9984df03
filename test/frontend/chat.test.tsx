import { act, fireEvent, render, screen, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import {
  ChatLog,
  chatTextProblem,
  encodeChat,
  linkify,
  MAX_CHAT_LENGTH,
  parseChat,
} from "../../frontend/call/chat-log";
import { ChatPanel } from "../../frontend/components/ChatPanel";
import type { Problem } from "../../frontend/i18n/problem";
import { say } from "../../frontend/i18n/problems";

const HOSTILE = `<img src=x onerror="alert(1)"> <script>alert(2)</script> javascript:alert(3)`;

describe("chat messages on the wire", () => {
  it("round-trips a message, markup and all", () => {
    expect(parseChat(encodeChat(HOSTILE))).toBe(HOSTILE);
  });

  it("drops anything that is not exactly a chat message", () => {
    for (const bad of [
      "not json",
      "null",
      "[]",
      JSON.stringify({ type: "chat" }),
      JSON.stringify({ type: "chat", text: 42 }),
      JSON.stringify({ type: "chat", text: "" }),
      JSON.stringify({ type: "chat", text: "   " }),
      JSON.stringify({ type: "chat", text: "hi", from: "someone else" }),
      JSON.stringify({ type: "state", text: "hi" }),
      JSON.stringify({ type: "chat", text: "x".repeat(MAX_CHAT_LENGTH + 1) }),
      `{"type":"chat","text":"${"x".repeat(20_000)}"}`,
    ]) {
      expect(parseChat(bad), bad.slice(0, 60)).toBeNull();
    }
    expect(parseChat(new ArrayBuffer(8))).toBeNull();
    expect(parseChat(encodeChat("x".repeat(MAX_CHAT_LENGTH)))).toHaveLength(MAX_CHAT_LENGTH);
  });

  it("says why a message cannot be sent", () => {
    expect(chatTextProblem("\n  \t")).toEqual({ key: "writeMessageFirst" });
    expect(say(chatTextProblem("x".repeat(MAX_CHAT_LENGTH + 1))!)).toBe("A message has at most 2,000 characters.");
    expect(chatTextProblem("x".repeat(MAX_CHAT_LENGTH))).toBeNull();
  });
});

describe("linkify", () => {
  it("links http and https addresses and leaves sentence punctuation outside", () => {
    expect(linkify("see https://example.com/a?b=1, and http://x.test/(y).")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1", host: "example.com" },
      { kind: "text", text: ", and " },
      { kind: "link", text: "http://x.test/(y)", href: "http://x.test/(y)", host: "x.test" },
      { kind: "text", text: "." },
    ]);
    expect(linkify("(https://en.wikipedia.org/wiki/Talk_(disambiguation))")).toEqual([
      { kind: "text", text: "(" },
      {
        kind: "link",
        text: "https://en.wikipedia.org/wiki/Talk_(disambiguation)",
        href: "https://en.wikipedia.org/wiki/Talk_(disambiguation)",
        host: "en.wikipedia.org",
      },
      { kind: "text", text: ")" },
    ]);
  });

  it("never links other schemes", () => {
    for (const text of ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "www.example.com"]) {
      expect(linkify(text)).toEqual([{ kind: "text", text }]);
    }
  });
});

describe("ChatLog", () => {
  it("counts messages from others as unread while the panel is closed", () => {
    const log = new ChatLog();
    log.add({ from: null, name: "Me", text: "mine", at: 1 });
    log.add({ from: "a", name: "Ada", text: "hers", at: 2 });
    log.add({ from: "b", name: "Bob", text: "his", at: 3 });
    expect(log.unread.value).toBe(2);
    log.setOpen(true);
    expect(log.unread.value).toBe(0);
    log.add({ from: "a", name: "Ada", text: "seen", at: 4 });
    expect(log.unread.value).toBe(0);
    expect(log.messages.value.map((m) => m.id)).toEqual([1, 2, 3, 4]);
  });
});

describe("ChatPanel", () => {
  const at = new Date(2026, 0, 2, 14, 5).getTime();

  function renderPanel(
    messages: Parameters<typeof ChatPanel>[0]["messages"],
    onSend: (text: string) => Problem | null = () => null,
  ) {
    const closes: number[] = [];
    const result = render(<ChatPanel messages={messages} onSend={onSend} onClose={() => closes.push(1)} />);
    return { ...result, closes };
  }

  it("shows hostile text as text: no element, no handler, no script is ever created from a message", () => {
    const { container } = renderPanel([{ id: 1, from: "a", name: "<b>Ada</b>", text: HOSTILE, at }]);
    const log = screen.getByRole("log", { name: "Messages" });
    expect(log.textContent).toContain(HOSTILE);
    expect(log.textContent).toContain("<b>Ada</b>");
    expect(container.querySelector("img, script, b")).toBeNull();
    expect(container.querySelector("[onerror]")).toBeNull();
    expect(within(log).queryAllByRole("link")).toEqual([]);
  });

  it("makes links clickable safely: new tab, no opener, no referrer", () => {
    renderPanel([{ id: 1, from: "a", name: "Ada", text: 'look: https://example.com/"><img src=x> ok', at }]);
    const link = screen.getByRole("link");
    expect(link.getAttribute("href")).toBe("https://example.com/");
    expect(link.textContent).toBe("https://example.com/");
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(screen.getByRole("log").querySelector("img")).toBeNull();
  });

  it("names the sender, says when, and calls our own messages ours", () => {
    renderPanel([
      { id: 1, from: "a", name: "Ada", text: "hi", at },
      { id: 2, from: null, name: "Cy", text: "hello", at },
    ]);
    const items = within(screen.getByRole("log")).getAllByRole("listitem");
    expect(items.map((item) => item.querySelector(".chat__name")?.textContent)).toEqual(["Ada", "You"]);
    expect(items[0]?.querySelector("time")?.getAttribute("datetime")).toBe(new Date(at).toISOString());
  });

  it("sends on Enter, keeps Shift+Enter for a new line, and clears the box", () => {
    const sent: string[] = [];
    renderPanel([], (text) => {
      sent.push(text);
      return null;
    });
    const box = screen.getByLabelText("Message to everyone") as HTMLTextAreaElement;
    expect(document.activeElement).toBe(box);
    expect(box.maxLength).toBe(MAX_CHAT_LENGTH);

    fireEvent.input(box, { target: { value: "line one" } });
    fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    expect(sent).toEqual([]);
    fireEvent.keyDown(box, { key: "Enter" });
    expect(sent).toEqual(["line one"]);
    expect(box.value).toBe("");
  });

  it("keeps the text and says why when it cannot be sent", () => {
    renderPanel([], () => ({ key: "writeMessageFirst" }));
    const box = screen.getByLabelText("Message to everyone") as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: " " } });
    fireEvent.click(screen.getByRole("button", { name: "Send message" }));
    expect(screen.getByRole("alert").textContent).toBe("Write a message first.");
    expect(box.value).toBe(" ");
  });

  it("counts characters near the limit", async () => {
    renderPanel([]);
    const box = screen.getByLabelText("Message to everyone");
    await act(() => {
      fireEvent.input(box, { target: { value: "x".repeat(1_900) } });
    });
    expect(screen.getByText("1,900 of 2,000")).toBeTruthy();
  });

  it("closes on Escape", () => {
    const { closes } = renderPanel([]);
    fireEvent.keyDown(screen.getByLabelText("Message to everyone"), { key: "Escape" });
    expect(closes).toEqual([1]);
  });
});

describe("links show where they really go", () => {
  it("drops the credentials part and shows the real host, emphasized", () => {
    expect(linkify("log in at https://bank.example@evil.example/login now")).toEqual([
      { kind: "text", text: "log in at " },
      { kind: "link", text: "https://evil.example/login", href: "https://evil.example/login", host: "evil.example" },
      { kind: "text", text: " now" },
    ]);
    expect(linkify("https://user:secret@example.com:8443/x")).toEqual([
      { kind: "link", text: "https://example.com:8443/x", href: "https://example.com:8443/x", host: "example.com" },
    ]);

    render(
      <ChatPanel
        messages={[{ id: 1, from: "a", name: "Ada", text: "https://bank.example@evil.example/login", at: 0 }]}
        onSend={() => null}
        onClose={() => {}}
      />,
    );
    const link = screen.getByRole("link");
    expect(link.getAttribute("href")).toBe("https://evil.example/login");
    expect(link.textContent).toBe("https://evil.example/login");
    expect(link.querySelector("strong")?.textContent).toBe("evil.example");
    expect(screen.getByRole("log").textContent).not.toContain("bank.example");
  });

  it("shows an international domain name as the punycode the browser will visit", () => {
    // "аpple.com" with a Cyrillic а: looks like apple.com, is not.
    const [part] = linkify("https://\u0430pple.com/login");
    expect(part).toMatchObject({ kind: "link", host: "xn--pple-43d.com", text: "https://xn--pple-43d.com/login" });
  });
});

describe("a long chat log", () => {
  it("draws only the new message when one arrives, not the whole log again", async () => {
    const { options } = await import("preact");
    const messages = Array.from({ length: 50 }, (_, i) => ({
      id: i + 1,
      from: "a",
      name: "Ada",
      text: `m${i}`,
      at: 0,
    }));
    const { rerender } = render(<ChatPanel messages={messages} onSend={() => null} onClose={() => {}} />);
    let itemsDrawn = 0;
    const previous = options.diffed;
    options.diffed = (vnode) => {
      if (vnode.type === "li") itemsDrawn += 1;
      previous?.(vnode);
    };
    try {
      const more = [...messages, { id: 51, from: "a", name: "Ada", text: "new", at: 0 }];
      rerender(<ChatPanel messages={more} onSend={() => null} onClose={() => {}} />);
    } finally {
      options.diffed = previous;
    }
    expect(screen.getAllByRole("listitem")).toHaveLength(51);
    expect(itemsDrawn).toBe(1);
  });
});
