/**
 * /api/leave-url: the Worker hands out LEAVE_URL only when it is a safe http(s) address, and
 * null otherwise, so that no page is ever sent somewhere odd by a mistyped variable.
 */
import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";

async function leaveUrlWith(value: string): Promise<unknown> {
  const response = await worker.fetch(
    new Request("https://natter.test/api/leave-url"),
    { ...env, LEAVE_URL: value },
    createExecutionContext(),
  );
  expect(response.status).toBe(200);
  return response.json();
}

describe("the leave page's address", () => {
  it("is null by default (wrangler.toml leaves it empty): the page shows its own Left page", async () => {
    const response = await SELF.fetch("https://natter.test/api/leave-url");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("application/json");
    expect(await response.json()).toEqual({ url: null });
  });

  it("hands out a safe http(s) address, normalized", async () => {
    expect(await leaveUrlWith("https://example.org/thanks")).toEqual({ url: "https://example.org/thanks" });
  });

  it("hands out nothing for a value that is not a plain http(s) address", async () => {
    for (const value of ["javascript:alert(1)", "data:text/html,hi", "/left", "https://a:b@example.org/"]) {
      expect(await leaveUrlWith(value), value).toEqual({ url: null });
    }
  });
});
