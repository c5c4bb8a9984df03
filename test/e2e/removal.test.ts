/**
 * Removing someone whose socket is away (issue #11, point 2), in real browsers against a real
 * `wrangler dev`. An attacker decides when they are "away" (a close with a non-deliberate code,
 * a resume within the grace period), so a removal must end their presence on every page at once
 * whatever their socket is doing: their tile goes and every page's RTCPeerConnection to them closes.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { DOOR_IDLE_MS } from "../../durable-objects/room-rules/limits";
import { framesDecoded, type Person, waitForDecodedVideoFrom } from "../helpers/browser";
import { useCast } from "../helpers/cast";
import { remotePeerIds, remoteTiles } from "../helpers/tiles";

/** The bound the issue sets for everyone to see a removal; a wait bound, not a timing assertion. */
const REMOVAL_SEEN_WITHIN_MS = 5_000;
const UI_TIMEOUT_MS = 15_000;

/** Closes the page's room socket the way a network drop looks to the room: code 4000, no deliberate leave. */
async function dropRoomSocket(page: Page): Promise<number> {
  return page.evaluate(() => {
    const sockets = (window as unknown as { __e2eSockets: WebSocket[] }).__e2eSockets;
    const open = sockets.filter((s) => s.url.includes("/api/rooms/") && s.readyState === WebSocket.OPEN);
    for (const socket of open) socket.close(4000, "network drop");
    return open.length;
  });
}

describe.skipIf(inject("e2eSkip"))("removing someone whose socket is away, in real browsers", () => {
  const cast = useCast({ label: "removal", camera: "small" });

  it("takes them off every page and closes every connection to them within 5 s", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const ada = await cast.arrive(room, "Ada", { rememberName: true });
    const bo = await cast.arrive(room, "Bo", { rememberName: true });
    const cy = await cast.arrive(room, "Cy", { rememberName: true });
    await Promise.all([ada, bo, cy].map((person) => waitForDecodedVideoFrom(person.page, 2)));

    // Locked, so that removing someone needs only a confirmation (and a resume would be the only way back).
    await ada.page.getByRole("button", { name: "Lock room" }).click();
    const lockDialog = ada.page.getByRole("dialog", { name: "Lock room" });
    await lockDialog.getByRole("button", { name: "Lock", exact: true }).click();
    // Our own lock reads "Locked by you"; the others see who it was.
    await ada.page.getByText("Locked by you").waitFor({ timeout: UI_TIMEOUT_MS });
    for (const person of [bo, cy]) await person.page.getByText("Locked by Ada").waitFor({ timeout: UI_TIMEOUT_MS });

    const boId = await remoteTiles(ada.page).filter({ hasText: "Bo" }).getAttribute("data-peer-id");
    expect(boId).toMatch(/^[0-9a-f]{32}$/);

    // Bo's network goes: every new room socket fails, and the open one drops without a leave.
    await bo.page.routeWebSocket(/\/api\/rooms\//, (socket) => socket.close());
    expect(await dropRoomSocket(bo.page)).toBe(1);
    // Let the room take in the drop, so the removal lands while Bo is away (not timed: nothing depends on how fast).
    await ada.page.waitForTimeout(1_000);

    await ada.page.getByRole("button", { name: "Remove Bo from call" }).click();
    const confirm = ada.page.getByRole("dialog", { name: "Remove Bo from the call?" });
    await confirm.getByRole("button", { name: "Remove", exact: true }).click();

    const stillSeesBo = async (person: Person) => ({
      tiles: (await remotePeerIds(person.page)).filter((id) => id === boId).length,
      openConnections: (await framesDecoded(person.page)).connections.length,
    });
    for (const person of [ada, cy]) {
      await expect
        .poll(() => stillSeesBo(person), {
          timeout: REMOVAL_SEEN_WITHIN_MS,
          message: `${person.name} should drop Bo's tile and close the connection to Bo`,
        })
        .toEqual({ tiles: 0, openConnections: 1 });
    }
    // Ada and Cy are still in a working call with each other.
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(cy.page, 1)]);
  });

  it("lets someone join after lingering at the hair check longer than the room keeps an idle socket", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const ada = await cast.arrive(room, "Ada", { rememberName: true });
    const bo = await cast.person("Bo", { rememberName: true });
    await bo.page.goto(`/${room}`);
    await bo.page.getByRole("button", { name: /^Join/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    // The room closes the hair check's idle socket (4009); the page must not show an error for it.
    await expect
      .poll(() => bo.log.filter((line) => line.startsWith("websocket closed")).length, {
        timeout: DOOR_IDLE_MS + 20_000,
        message: "the room should close the hair check's idle socket",
      })
      .toBe(1);
    await bo.page.getByRole("button", { name: /^Join/ }).click();
    await bo.page.getByTestId("self-tile").waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bo.page, 1)]);
  });
});
