import { describe, expect, it } from "vitest";
import { isRoomId, ROOM_ID_CONTEXT, ROOM_ID_LENGTH, roomIdFor } from "../../common/room-id";
import { normalizeRoomName } from "../../common/room-name";

/** The same digest encoded another way (btoa, then the URL-safe alphabet), to check the hand-made encoder. */
async function viaBtoa(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

describe("room ids", () => {
  it("are SHA-256 over the domain-separated normalized name, in URL-safe base64 without padding", async () => {
    for (const name of ["team-sync", "straße", "sleepy-orange-otters-juggle-lemon-teapots", "日本語-会議"]) {
      const id = await roomIdFor(name);
      expect(id).toHaveLength(ROOM_ID_LENGTH);
      expect(id).toBe(await viaBtoa(`natter room v1\n${name}`));
      expect(isRoomId(id)).toBe(true);
      // Domain separation: not the bare hash of the name.
      expect(id).not.toBe(await viaBtoa(name));
    }
    expect(ROOM_ID_CONTEXT).toBe("natter room v1\n");
  });

  it("are the same for every spelling of one name and differ between names", async () => {
    const ids = await Promise.all(
      ["Team Sync", "team_sync", "TEAM--SYNC", "ｔｅａｍ ｓｙｎｃ"].map((typed) => {
        const normalized = normalizeRoomName(typed);
        if (!normalized.ok) throw new Error(normalized.reason);
        return roomIdFor(normalized.name);
      }),
    );
    expect(new Set(ids).size).toBe(1);
    expect(await roomIdFor("team-sync-2")).not.toBe(ids[0]);
  });

  it("accept only the canonical 43-character form", async () => {
    const id = await roomIdFor("team-sync");
    expect(isRoomId(`${id}A`)).toBe(false);
    expect(isRoomId(id.slice(0, 42))).toBe(false);
    expect(isRoomId(`${id.slice(0, 42)}B`)).toBe(false);
    expect(isRoomId(`${id.slice(0, 41)}+${id.slice(42)}`)).toBe(false);
    expect(isRoomId("team-sync")).toBe(false);
    expect(isRoomId("")).toBe(false);
  });
});
