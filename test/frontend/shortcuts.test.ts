import { describe, expect, it } from "vitest";
import { shortcutFor } from "../../frontend/services/shortcuts";

function press(key: string, target: EventTarget = document.body, extra: Partial<KeyboardEventInit> = {}) {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, ...extra });
  Object.defineProperty(event, "target", { value: target });
  return shortcutFor(event);
}

function element(html: string): HTMLElement {
  const host = document.createElement("div");
  host.innerHTML = html;
  document.body.append(host);
  return host.firstElementChild as HTMLElement;
}

describe("keyboard shortcuts", () => {
  it("maps M, V, D, C and ? in either case", () => {
    expect(["m", "M", "v", "V", "d", "D", "c", "C", "?"].map((key) => press(key))).toEqual([
      "microphone",
      "microphone",
      "camera",
      "camera",
      "screen",
      "screen",
      "chat",
      "chat",
      "help",
    ]);
    expect(press("x")).toBeNull();
    expect(press("Enter")).toBeNull();
  });

  it("ignores keys while typing: text fields, text areas, selects and editable content", () => {
    for (const html of [
      "<input>",
      '<input type="search">',
      "<textarea></textarea>",
      "<select><option>a</option></select>",
      '<div contenteditable="true"></div>',
    ]) {
      expect(press("m", element(html)), html).toBeNull();
    }
  });

  it("still works on buttons and checkboxes, where a letter types nothing", () => {
    expect(press("m", element("<button>Mute</button>"))).toBe("microphone");
    expect(press("v", element('<input type="checkbox">'))).toBe("camera");
  });

  it("leaves Ctrl, Cmd and Alt combinations, held keys and IME composition alone", () => {
    expect(press("c", document.body, { ctrlKey: true })).toBeNull();
    expect(press("v", document.body, { metaKey: true })).toBeNull();
    expect(press("d", document.body, { altKey: true })).toBeNull();
    expect(press("m", document.body, { repeat: true })).toBeNull();
    expect(press("m", document.body, { isComposing: true })).toBeNull();
  });

  it("is off inside dialogs, which have keys of their own", () => {
    const dialog = element("<dialog open><button>Close</button></dialog>");
    expect(press("m", dialog.querySelector("button") as HTMLElement)).toBeNull();
  });
});
