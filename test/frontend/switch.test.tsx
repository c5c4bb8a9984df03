/**
 * The shared on/off switch (components/Switch.tsx) that blur, noise suppression, the settings'
 * preferences and "Mark as verified" all are: named by its words, toggled by them, described by
 * its note, and inert while disabled. Space and Tab in a real browser: test/e2e/a11y.test.ts.
 */
import { fireEvent, render, screen } from "@testing-library/preact";
import { useState } from "preact/hooks";
import { describe, expect, it } from "vitest";
import { Switch } from "../../frontend/components/Switch";

/** A switch with its own state, recording every change it reports. */
function renderSwitch(props: { disabled?: boolean; note?: string } = {}) {
  const changes: boolean[] = [];
  function Harness() {
    const [on, setOn] = useState(false);
    return (
      <Switch
        label="Play sounds"
        checked={on}
        onChange={(value) => {
          changes.push(value);
          setOn(value);
        }}
        {...props}
      />
    );
  }
  render(<Harness />);
  return { box: screen.getByRole("checkbox", { name: "Play sounds" }) as HTMLInputElement, changes };
}

describe("a switch", () => {
  it("is a checkbox named by its words, and a click on the words toggles it", () => {
    const { box, changes } = renderSwitch();
    expect(box.type).toBe("checkbox");
    expect(box.checked).toBe(false);
    fireEvent.click(screen.getByText("Play sounds"));
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    expect(box.checked).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it("is described by its note, a live region, so the hint is read with it and a change is announced", () => {
    const { box } = renderSwitch({ note: "Quiet, and only on this device" });
    const note = screen.getByText("Quiet, and only on this device");
    expect(box.getAttribute("aria-describedby")).toBe(note.id);
    expect(note.id).not.toBe("");
    expect(note.getAttribute("role")).toBe("status");
  });

  it("without a note, points at no description", () => {
    const { box } = renderSwitch();
    expect(box.hasAttribute("aria-describedby")).toBe(false);
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("gives every switch on a page its own note", () => {
    render(
      <>
        <Switch label="One" checked={false} onChange={() => {}} note="First note" />
        <Switch label="Two" checked={false} onChange={() => {}} note="Second note" />
      </>,
    );
    const one = screen.getByRole("checkbox", { name: "One" }).getAttribute("aria-describedby");
    const two = screen.getByRole("checkbox", { name: "Two" }).getAttribute("aria-describedby");
    expect(one).not.toBe(two);
    expect(document.getElementById(one ?? "")?.textContent).toBe("First note");
    expect(document.getElementById(two ?? "")?.textContent).toBe("Second note");
  });

  it("disabled, cannot be toggled by its words or its box", () => {
    const { box, changes } = renderSwitch({ disabled: true });
    expect(box.disabled).toBe(true);
    fireEvent.click(screen.getByText("Play sounds"));
    fireEvent.click(box);
    expect(box.checked).toBe(false);
    expect(changes).toEqual([]);
  });
});
