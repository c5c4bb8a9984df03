import { describe, expect, it } from "vitest";
import { matchRoute, roomPath } from "../../frontend/routes";

describe("matchRoute", () => {
  it("treats / as home", () => {
    expect(matchRoute("/")).toEqual({ kind: "home" });
  });

  it("normalizes a room path and names its canonical address", () => {
    expect(matchRoute("/Team%20Sync")).toEqual({ kind: "room", name: "team-sync", path: "/team-sync" });
    expect(matchRoute("/team-sync/")).toEqual({ kind: "room", name: "team-sync", path: "/team-sync" });
  });

  it("percent-encodes non-ASCII names the way browsers show them", () => {
    expect(roomPath("café")).toBe("/caf%C3%A9");
    expect(matchRoute("/caf%C3%A9")).toEqual({ kind: "room", name: "café", path: "/caf%C3%A9" });
  });

  it("explains why a path is not a room", () => {
    expect(matchRoute("/a/b")).toMatchObject({ kind: "invalid-room", input: "a/b" });
    expect(matchRoute("/%E0%A4%A")).toMatchObject({ kind: "invalid-room" });
  });
});
