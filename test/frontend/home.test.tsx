import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROOM_NAME_ENTROPY_BITS, ROOM_NAME_SLOTS } from "../../common/room-name-generator";
import { Home } from "../../frontend/pages/Home";
import { SUGGESTED_NAME_BITS, type SuggestName } from "../../frontend/room-name-suggestion";

const field = () => screen.getByLabelText("Room name") as HTMLInputElement;

function submit(value: string) {
  fireEvent.input(field(), { target: { value } });
  fireEvent.click(screen.getByRole("button", { name: "Join" }));
}

/** Hands out `names` in turn, in place of the page's own draw, so that tests know what to expect. */
function suggestions(...names: string[]): SuggestName {
  return async () => names.shift() ?? "no-more-names-left";
}

describe("Home", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("goes to the room's canonical address", () => {
    render(<Home />);
    submit("  Team Sync ");
    expect(location.pathname).toBe("/team-sync");
  });

  it("refuses an invalid name, says why, and stays put", () => {
    render(<Home />);
    submit("a/b");

    expect(location.pathname).toBe("/");
    expect(screen.getByRole("alert").textContent).toMatch(/letters, digits and hyphens/);
    expect(field().getAttribute("aria-invalid")).toBe("true");
  });

  it("refuses an empty name", () => {
    render(<Home />);
    submit("   ");

    expect(location.pathname).toBe("/");
    expect(screen.getByRole("alert").textContent).toMatch(/at least one letter or digit/);
  });

  it("fills in a suggested name, which can be joined as it is", async () => {
    render(<Home suggestName={suggestions("sleepy-orange-otters-juggle-lemon-teapots")} />);
    await waitFor(() => expect(field().value).toBe("sleepy-orange-otters-juggle-lemon-teapots"));
    expect(screen.getByRole("status").textContent).toBe("");

    fireEvent.click(screen.getByRole("button", { name: "Join" }));
    expect(location.pathname).toBe("/sleepy-orange-otters-juggle-lemon-teapots");
  });

  it("rolls another name on “New name”", async () => {
    render(
      <Home
        suggestName={suggestions("sleepy-orange-otters-juggle-lemon-teapots", "brave-teal-herons-hum-mint-kazoos")}
      />,
    );
    await waitFor(() => expect(field().value).toBe("sleepy-orange-otters-juggle-lemon-teapots"));

    fireEvent.click(screen.getByRole("button", { name: "New name" }));
    await waitFor(() => expect(field().value).toBe("brave-teal-herons-hum-mint-kazoos"));
  });

  it("does not overwrite a name typed before the suggestion arrived", async () => {
    let answer!: (name: string) => void;
    render(<Home suggestName={() => new Promise<string>((resolve) => (answer = resolve))} />);
    fireEvent.input(field(), { target: { value: "my-own-room-name" } });

    await act(async () => answer("sleepy-orange-otters-juggle-lemon-teapots"));
    expect(field().value).toBe("my-own-room-name");
  });

  it("still works when no suggestion can be had (the word lists did not load)", async () => {
    const none = vi.fn(async () => null);
    render(<Home suggestName={none} />);
    await waitFor(() => expect(none).toHaveBeenCalled());

    expect(field().value).toBe("");
    submit("quarterly-planning-offsite");
    expect(location.pathname).toBe("/quarterly-planning-offsite");
  });

  it("gently hints that a short or common name is easy to guess", async () => {
    render(<Home />);
    await waitFor(() => expect(field().value).not.toBe(""));
    const hint = () => screen.getByRole("status").textContent;

    fireEvent.input(field(), { target: { value: "Team Meeting 2" } });
    expect(hint()).toBe("Easy to guess — use a suggested name or lock the room once you're in.");
    // A hint, not an error: the name is still accepted.
    expect(field().getAttribute("aria-invalid")).toBe("false");

    fireEvent.input(field(), { target: { value: "standup" } });
    expect(hint()).toMatch(/Easy to guess/);

    fireEvent.input(field(), { target: { value: "quarterly-planning-offsite" } });
    expect(hint()).toBe("");
  });

  it("says how strong suggested names are", () => {
    render(<Home />);
    expect(screen.getByText(/Suggested names are one of 2\^48 \(about 281 trillion\)/)).toBeTruthy();
  });
});

describe("suggested names", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("are drawn in the page from the word lists: nothing is fetched, so the server never sees them", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ name: "from-the-server-from-the-server" })));
    vi.stubGlobal("fetch", fetch);
    render(<Home />);
    await waitFor(() => expect(field().value).not.toBe(""));
    const words = field().value.split("-");
    expect(words).toHaveLength(ROOM_NAME_SLOTS.length);
    for (const [slot, word] of words.entries()) expect(ROOM_NAME_SLOTS[slot]).toContain(word);

    const first = field().value;
    fireEvent.click(screen.getByRole("button", { name: "New name" }));
    await waitFor(() => expect(field().value).not.toBe(first));
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("SUGGESTED_NAME_BITS", () => {
  it("matches what the word lists actually give", () => {
    expect(SUGGESTED_NAME_BITS).toBe(ROOM_NAME_ENTROPY_BITS);
  });
});
