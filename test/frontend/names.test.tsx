/**
 * Names that deceive, as the page shows them: every name sits in its own bidi isolate, so a
 * right-to-left name cannot pull the interface's own words ("(you)", "locked the room") into it;
 * people who share a name are told apart everywhere the name appears; and the name inputs refuse
 * what the room refuses, with the room's own words, before anything is sent.
 */
import { act, fireEvent, render, screen, within } from "@testing-library/preact";
import { beforeAll, describe, expect, it } from "vitest";
import { parseClientMessage } from "../../common/parse-client-message";
import { displayNameProblem } from "../../frontend/call/display-name";
import { labelPeople } from "../../frontend/call/names";
import { ConfirmRemoveDialog } from "../../frontend/components/ConfirmRemoveDialog";
import { say } from "../../frontend/i18n/problems";
import { Removed } from "../../frontend/pages/Removed";
import { fakeCall } from "./fake-call";
import { noop, prefetchOnDemand, renderHairCheck, renderRoomView } from "./render-views";

// The chat panel and the dialogs: their chunk in, as in a call a moment after it appears.
beforeAll(prefetchOnDemand);

const ALEX_1 = `a1${"0".repeat(30)}`;
const ALEX_2 = `b2${"0".repeat(30)}`;
/** Hebrew letters: strongly right-to-left, no control characters needed to reorder what follows. */
const HEBREW = "\u05D3\u05D5\u05D3";

const person = (id: string, name: string) => ({ id, name, stream: null, audio: true, video: true, screen: false });

/** Every text node that contains `text`, and whether it sits inside a <bdi>. */
function occurrences(root: ParentNode, text: string): { isolated: boolean; context: string }[] {
  const found: { isolated: boolean; context: string }[] = [];
  const walker = document.createTreeWalker(root as Node, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent?.includes(text)) continue;
    const parent = node.parentElement;
    found.push({ isolated: parent?.closest("bdi") != null, context: parent?.parentElement?.textContent ?? "" });
  }
  return found;
}

function expectAllIsolated(root: ParentNode, text: string, atLeast: number) {
  const found = occurrences(root, text);
  expect(found.length).toBeGreaterThanOrEqual(atLeast);
  for (const { isolated, context } of found) expect(isolated, context).toBe(true);
}

describe("names in their own bidi isolate", () => {
  it("isolates a right-to-left name in tiles, knocks, the lock badge, lock news and the chat", async () => {
    const call = fakeCall({
      peers: [person(ALEX_1, HEBREW)],
      knocks: [{ id: ALEX_2, name: `${HEBREW} 2` }],
      lock: { by: HEBREW, byId: ALEX_1 },
    });
    call.selfName.value = `${HEBREW} me`;
    call.lockNews.value = { locked: true, by: HEBREW, byId: ALEX_1 };
    call.chat.messages.value = [{ id: 1, from: ALEX_1, name: HEBREW, text: "hi", at: 0 }];
    call.chat.open.value = true;
    const { container } = renderRoomView(call);

    // Tile caption, self tile, knock, badge, announcement, chat sender: every place the name is drawn.
    expectAllIsolated(container, HEBREW, 6);
    const self = screen.getByTestId("self-tile").querySelector("figcaption");
    expect(self?.textContent).toBe(`${HEBREW} me (you)`);
    expect(self?.querySelector("bdi")?.textContent).toBe(`${HEBREW} me`);
    expect(screen.getByText(/^Locked by/).querySelector("bdi")?.textContent).toBe(HEBREW);
  });

  it("isolates the name in the removal dialog and on the page that says who removed us", async () => {
    const dialog = render(<ConfirmRemoveDialog label={{ name: HEBREW, tag: null }} onRemove={noop} onClose={noop} />);
    expectAllIsolated(dialog.container.ownerDocument.body, HEBREW, 2);
    dialog.unmount();

    const page = render(<Removed room="team-sync" by={{ name: HEBREW, tag: null }} />);
    expectAllIsolated(page.container, HEBREW, 1);
    expect(page.container.textContent).toContain(`${HEBREW} removed you from team-sync.`);
  });
});

describe("people who share a name", () => {
  it("are told apart by a short tag from their peer id, in tiles and in “Locked by”", async () => {
    const call = fakeCall({
      peers: [person(ALEX_1, "Alex"), person(ALEX_2, "alex"), person("c".repeat(32), "Cy")],
      lock: { by: "alex", byId: ALEX_2 },
    });
    const { container } = renderRoomView(call);

    const captions = [...container.querySelectorAll('[data-testid="remote-tile"] figcaption')].map(
      (caption) => caption.textContent,
    );
    expect(captions).toEqual(["Alex #a100", "alex #b200", "Cy"]);
    expect(screen.getByText(/^Locked by/).textContent).toBe("Locked by alex #b200");
    expect(screen.getByRole("button", { name: "Remove alex #b200 from call" })).toBeTruthy();
  });

  it("tag our own name too when someone takes it, and say “you” for what we did", async () => {
    const call = fakeCall({ peers: [person(ALEX_2, "Ada")] });
    call.selfId.value = ALEX_1;
    const { container } = renderRoomView(call);
    expect(screen.getByTestId("self-tile").querySelector("figcaption")?.textContent).toBe("Ada #a100 (you)");
    expect(container.querySelector('[data-testid="remote-tile"] figcaption')?.textContent).toBe("Ada #b200");

    await act(() => {
      call.lock.value = { by: "Ada", byId: ALEX_1 };
      call.lockNews.value = { locked: true, by: "Ada", byId: ALEX_1 };
    });
    expect(screen.getByText(/^Locked by/).textContent).toBe("Locked by you");
    expect(screen.getByText(/locked the room\.$/).textContent).toBe("You locked the room.");
  });

  it("tell apart a chat sender from someone with the same name, even after the sender left", async () => {
    const call = fakeCall({ peers: [person(ALEX_2, "Alex")] });
    call.chat.messages.value = [
      { id: 1, from: ALEX_1, name: "Alex", text: "I am the real Alex", at: 0 },
      { id: 2, from: ALEX_2, name: "Alex", text: "No, I am", at: 0 },
    ];
    call.chat.open.value = true;
    renderRoomView(call);
    const senders = within(screen.getByRole("log"))
      .getAllByRole("listitem")
      .map((item) => item.querySelector(".chat__name")?.textContent);
    expect(senders).toEqual(["Alex #a100", "Alex #b200"]);
  });
});

describe("labels", () => {
  it("count names the same when they read the same, and lengthen a group's tags until they all differ", () => {
    const twinA = `abcd1${"0".repeat(27)}`;
    const twinB = `abcd2${"0".repeat(27)}`;
    const labels = labelPeople([
      { id: twinA, name: "Zoë" },
      { id: twinB, name: "ZOË" },
      { id: ALEX_1, name: "Ｚｏë" },
      { id: ALEX_2, name: "Zoe" },
    ]);
    expect([...labels.values()]).toEqual([
      { name: "Zoë", tag: "abcd1" },
      { name: "ZOË", tag: "abcd2" },
      { name: "Ｚｏë", tag: "a1000" },
      { name: "Zoe", tag: null },
    ]);
  });
});

describe("name inputs", () => {
  const refused = ["Ada\u202E", "A\u200Bda", "Ada (you)", "You", "Ada #c0ffee", "A\u200Dda"];

  it("say what the room would say about a deceiving name", () => {
    for (const name of refused) {
      const problem = displayNameProblem(name);
      const room = parseClientMessage(JSON.stringify({ type: "join", name }));
      expect(room.ok, name).toBe(false);
      if (room.ok || problem === null) throw new Error(`${name} accepted`);
      // "A name must not …." here, "Invalid `join` message: field `name` must not …." from the room.
      const words = say(problem);
      expect(words.startsWith("A name must")).toBe(true);
      expect(room.message.endsWith(words.slice("A name ".length))).toBe(true);
    }
    for (const name of ["👩‍💻 Ada", "Ada (she/her)", "مهر\u200Cناز"]) expect(displayNameProblem(name)).toBeNull();
  });

  it("refuse a deceiving name on the hair check before anything is sent", () => {
    const { joins } = renderHairCheck();
    const input = screen.getByLabelText("Your name");
    fireEvent.input(input, { target: { value: "Ada\u202E(uoy)" } });
    fireEvent.click(screen.getByRole("button", { name: /join/i }));
    expect(joins).toEqual([]);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const problem = document.getElementById(input.getAttribute("aria-describedby") ?? "");
    expect(problem?.textContent).toBe("A name must not contain characters that change the direction of text (U+202E).");
  });
});
