import { fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { Home } from "../../frontend/pages/Home";

function submit(value: string) {
  fireEvent.input(screen.getByLabelText("Room name"), { target: { value } });
  fireEvent.click(screen.getByRole("button", { name: "Join" }));
}

describe("Home", () => {
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
    expect(screen.getByLabelText("Room name").getAttribute("aria-invalid")).toBe("true");
  });

  it("refuses an empty name", () => {
    render(<Home />);
    submit("   ");

    expect(location.pathname).toBe("/");
    expect(screen.getByRole("alert").textContent).toMatch(/at least one letter or digit/);
  });
});
