/**
 * The push-to-talk, per-person and typing strings in other languages: each view takes its words
 * from the active catalog, a typing person's name stays a <bdi> of its own inside the sentence,
 * and a key whose name is a word ("Space") is named in the language while letters stay as they are.
 */
import { fireEvent, render, screen, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { AS_SENT } from "../../frontend/call/listening";
import { ChatPanel } from "../../frontend/components/ChatPanel";
import { PersonControls } from "../../frontend/components/PersonControls";
import { ShortcutList } from "../../frontend/components/ShortcutList";
import { useCatalog } from "../../frontend/i18n/active";
import { ar } from "../../frontend/i18n/ar";
import { de } from "../../frontend/i18n/de";
import { ja } from "../../frontend/i18n/ja";

const label = (name: string) => ({ name, tag: null });

describe("the typing indicator in Arabic", () => {
  const typing = (names: string[]) => {
    render(<ChatPanel messages={[]} onSend={() => null} onClose={() => {}} typing={names.map(label)} />);
    return document.querySelector(".chat__typing") as HTMLElement;
  };

  it("puts one or two names in the sentence, each in its own <bdi>", () => {
    useCatalog("ar", ar);
    const one = typing(["Ada"]);
    expect(one.textContent).toBe("Ada يكتب…");
    expect([...one.querySelectorAll("bdi")].map((bdi) => bdi.textContent)).toEqual(["Ada"]);
  });

  it("names two people with the dual verb", () => {
    useCatalog("ar", ar);
    const two = typing(["Ada", "Bob"]);
    expect(two.textContent).toBe("Ada وBob يكتبان…");
    expect([...two.querySelectorAll("bdi")].map((bdi) => bdi.textContent)).toEqual(["Ada", "Bob"]);
  });

  it("counts more than two, in the plural form Arabic uses for the number", () => {
    useCatalog("ar", ar);
    const many = typing(["A", "B", "C", "D", "E"]);
    expect(many.textContent).toBe(`${(5).toLocaleString("ar")} أشخاص يكتبون…`);
    expect(many.querySelector("bdi")).toBeNull();
  });
});

describe("the per-person controls in German", () => {
  it("labels every control and the volume in German", () => {
    useCatalog("de", de);
    const changes: unknown[] = [];
    render(<PersonControls name="Ada" listening={{ ...AS_SENT, volume: 0.4 }} onChange={(c) => changes.push(c)} />);
    const group = screen.getByRole("group", { name: "Ada, nur für dich" });
    const slider = within(group).getByRole("slider", { name: "Lautstärke von Ada" });
    expect(slider.getAttribute("aria-valuetext")).toBe("40 %");
    fireEvent.click(within(group).getByRole("button", { name: "Für mich stummschalten" }));
    fireEvent.click(within(group).getByRole("button", { name: "Video für mich ausblenden" }));
    expect(changes).toEqual([{ muted: true }, { videoHidden: true }]);
    expect(group.textContent).toContain("Nur du hörst und siehst diese Änderungen.");
  });
});

describe("the shortcut list in Japanese", () => {
  it("names the Space key in Japanese and keeps the letters", () => {
    useCatalog("ja", ja);
    render(<ShortcutList />);
    const keys = [...document.querySelectorAll("kbd")].map((kbd) => kbd.textContent);
    expect(keys).toEqual(["M", "スペース", "V", "D", "C", "R", "P", "L", "F", "1", "2", "3", "4", "5", "6", "?"]);
  });
});
