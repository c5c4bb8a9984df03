/**
 * Issue #16, "Deploys, provably": Workers observability keeps every line the Worker and the Room
 * print, so those lines must never hold a room's name, its key, a display name or an address.
 * A real call on a real `wrangler dev` at --log-level log (a line per request, plus everything
 * the Worker and the Room print with console.*, as the dashboard's logs would show them), with
 * distinctive values for all of those, and with things going wrong on purpose so that the code
 * paths that do log run: the TURN provider fails (the Room logs its fallback to STUN) and a
 * wrong key is tried at a locked door. Then every line printed during the call is searched.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { roomIdFor } from "../../common/room-id";
import { startWrangler, type WranglerServer } from "../../tooling/wrangler";
import { joinFromHairCheck, MEDIA_TIMEOUT_MS, waitForDecodedVideoFrom } from "../helpers/browser";
import { useCast } from "../helpers/cast";

/** How long a page gets to show the result of one round trip to the room (PBKDF2 included). */
const UI_TIMEOUT_MS = 15_000;
/**
 * Any IPv4 address, or an IPv6 one as logs write them: compressed (`::1`, `fe80::1c2a`) or all
 * eight groups. A lone `::` (as in C++ names in workerd's errors) is not an address.
 */
const IP_ADDRESS =
  /\b\d{1,3}(\.\d{1,3}){3}\b|(^|[^\w:])[0-9a-f]{0,4}::[0-9a-f]{1,4}\b|\b([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b/i;

describe.skipIf(inject("e2eSkip"))("what the Worker and the Room log", () => {
  const cast = useCast({ label: "log-privacy", camera: "small" });
  const marker = randomBytes(5).toString("hex");
  const turnSecrets = { TURN_KEY_ID: `turnkeyid${marker}`, TURN_KEY_API_TOKEN: `turntoken${marker}` };
  let server: WranglerServer;

  beforeAll(async () => {
    // Cloudflare's TURN API cannot be reached from here (loopback only), so every admission
    // takes the Room's logged fallback path: the test is about that line's content.
    server = await startWrangler({
      name: "natter (observability logs)",
      logLevel: "log",
      outputLinesKept: 10_000,
      vars: turnSecrets,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("a locked call with a wrong key and a failing TURN provider logs no name, key or address", async () => {
    const startupLines = server.output().split("\n").length;
    const room = `orchid-lantern-${marker}`;
    const hostName = `Quintessa${marker}`;
    const guestName = `Bartholomew${marker}`;
    const wrongKey = `wrongkey-${marker}`;

    const host = await cast.arrive(room, hostName, { baseUrl: server.baseUrl, rememberName: true });
    await host.page.getByRole("button", { name: "Lock room" }).click();
    const lockDialog = host.page.getByRole("dialog", { name: "Lock room" });
    const key = await lockDialog.getByLabel("Room key").inputValue();
    expect(key, "the suggested key is what we search for").toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    await lockDialog.getByRole("button", { name: "Lock", exact: true }).click();
    await host.page.getByText("Locked by you").waitFor({ timeout: UI_TIMEOUT_MS });

    const guest = await cast.person(guestName, { baseUrl: server.baseUrl, rememberName: true });
    await guest.page.goto(`/${room}`);
    await joinFromHairCheck(guest.page);
    await guest.page.getByLabel("Room key").fill(wrongKey);
    await guest.page.getByRole("button", { name: "Enter room" }).click();
    await guest.page.getByText(/^That key is wrong\./).waitFor({ timeout: UI_TIMEOUT_MS });
    await guest.page.getByLabel("Room key").fill(key);
    await guest.page.getByRole("button", { name: "Enter room" }).click();
    await guest.page.getByTestId("self-tile").waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
    await Promise.all([waitForDecodedVideoFrom(host.page, 1), waitForDecodedVideoFrom(guest.page, 1)]);

    // The lines come a moment after the requests; wait until the call's own lines are there, so
    // that the search below has something to search: the Room's TURN fallback, once per admission,
    // and the room sockets' request lines.
    const id = await roomIdFor(room);
    const callLines = () => server.output().split("\n").slice(startupLines);
    await expect
      .poll(() => callLines().filter((line) => line.includes("TURN credentials unavailable")).length, {
        timeout: 10_000,
        message: "the Room logs its fallback to STUN for each admission (else this test proves nothing)",
      })
      .toBeGreaterThanOrEqual(2);
    await expect
      .poll(() => callLines().filter((line) => line.includes(`/api/rooms/${id}/ws`)).length, {
        timeout: 10_000,
        message: "wrangler logs each room socket's request line",
      })
      .toBeGreaterThanOrEqual(2);

    // Page loads (GET /<room>) are the asset layer's, not the Worker's or the Room's: any web
    // host logs the pages it serves (README, "What a host can see"). Everything else is searched.
    const pageLoad = new RegExp(`GET /${room} `);
    const searched = callLines().filter((line) => !pageLoad.test(line));
    const secrets = {
      "the room's name": marker,
      "the room key": key,
      "the wrong key tried": wrongKey,
      "a display name": hostName.toLowerCase(),
      "the other display name": guestName.toLowerCase(),
      "the TURN key id": turnSecrets.TURN_KEY_ID,
      "the TURN API token": turnSecrets.TURN_KEY_API_TOKEN,
    };
    for (const line of searched) {
      for (const [what, value] of Object.entries(secrets))
        expect(line.toLowerCase(), `a log line holds ${what}`).not.toContain(value.toLowerCase());
      expect(line, "a log line holds an IP address").not.toMatch(IP_ADDRESS);
    }
    expect(searched.length).toBeGreaterThan(0);
  });
});
