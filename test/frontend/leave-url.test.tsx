/**
 * The page after leaving: the operator's LEAVE_URL when it is a safe http(s) address, natter's
 * own Left page otherwise (common/leave-url.ts, frontend/services/leave-url.ts, Room.tsx).
 */
import { act, fireEvent, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import { safeLeaveUrl } from "../../common/leave-url";
import { forgetLeaveUrl, leaveUrl } from "../../frontend/services/leave-url";
import type { fakeCall } from "./fake-call";
import { renderRoom } from "./render-views";

afterEach(forgetLeaveUrl);

async function joinAndLeave(call: ReturnType<typeof fakeCall>) {
  fireEvent.click(screen.getByRole("button", { name: "Join" }));
  await act(() => {
    call.status.value = "joined";
  });
  fireEvent.click(screen.getByRole("button", { name: "Leave call" }));
  await screen.findByText(/You left/);
}

describe("the page after leaving", () => {
  it("goes to the operator's page when one is set", async () => {
    const { started, wentTo } = renderRoom({ leaveUrl: "https://example.org/thanks" });
    await joinAndLeave(started[0]!.call);
    expect(wentTo).toEqual(["https://example.org/thanks"]);
  });

  it("stays on natter's own Left page, with Rejoin and New room, when none is set", async () => {
    const { started, wentTo } = renderRoom();
    await joinAndLeave(started[0]!.call);
    expect(wentTo).toEqual([]);
    expect(screen.getByRole("button", { name: "Rejoin" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "New room" })).toBeTruthy();
  });
});

describe("which addresses are allowed", () => {
  it("takes absolute http(s) addresses only, normalized, and nothing with credentials", () => {
    expect(safeLeaveUrl(" https://example.org/bye?x=1 ")).toBe("https://example.org/bye?x=1");
    expect(safeLeaveUrl("http://example.org")).toBe("http://example.org/");
    for (const bad of [
      "",
      "   ",
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "/relative/path",
      "//example.org/no-scheme",
      "ftp://example.org/",
      "https://user:pass@example.org/",
      `https://example.org/${"x".repeat(2100)}`,
      42,
      null,
    ]) {
      expect(safeLeaveUrl(bad), String(bad)).toBeNull();
    }
  });

  it("checks what the Worker hands out once more, and falls back to none on any failure", async () => {
    const answering = (body: unknown, ok = true) =>
      (async () => new Response(JSON.stringify(body), { status: ok ? 200 : 500 })) as typeof fetch;
    expect(await leaveUrl(answering({ url: "https://example.org/" }))).toBe("https://example.org/");
    forgetLeaveUrl();
    expect(await leaveUrl(answering({ url: "javascript:alert(1)" }))).toBeNull();
    forgetLeaveUrl();
    expect(await leaveUrl(answering({ url: "https://example.org/" }, false))).toBeNull();
    forgetLeaveUrl();
    expect(await leaveUrl((async () => Promise.reject(new TypeError("offline"))) as typeof fetch)).toBeNull();
  });
});
