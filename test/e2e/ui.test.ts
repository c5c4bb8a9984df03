/**
 * The call's interface in real Chromium against a real `wrangler dev`: what one person does
 * (mute, camera off, share the screen, chat, rename, leave) shows up on the other's page, and
 * screenshots of every page at laptop and phone width land in test-results/screenshots/ to be
 * looked at (the folder is ignored by git).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { joinFromHairCheck, MEDIA_TIMEOUT_MS, type Person, waitForDecodedVideoFrom } from "../helpers/browser";
import { SCREENSHOTS, useCast } from "../helpers/cast";

/** One round trip through the room, or a data channel message, on a busy two-core machine. */
const UI_TIMEOUT_MS = 20_000;
const LAPTOP = { width: 1280, height: 720 };
const PHONE = { width: 360, height: 740 };

interface Visitor extends Person {
  /** Every text frame the page sent to the room, to prove chat never went through it. */
  readonly roomFrames: string[];
}

const remoteTile = (page: Page, name: string): Locator =>
  page.locator('figure[data-testid="remote-tile"]').filter({ has: page.locator("figcaption", { hasText: name }) });

async function videoSize(tile: Locator): Promise<string> {
  // The tile's own picture, not the presenter's camera in its corner (a second, small video).
  return tile
    .locator(":scope > video")
    .evaluate((video: HTMLVideoElement) => `${video.videoWidth}x${video.videoHeight}`);
}

/** What Ada's self view plays: the capture surface ("camera" when it is no screen) and its size. */
async function selfViewSource(page: Page): Promise<{ surface: string; size: string }> {
  return page.evaluate(() => {
    const stream = document.querySelector<HTMLVideoElement>('[data-testid="self-tile"] video')?.srcObject;
    const settings = stream instanceof MediaStream ? stream.getVideoTracks()[0]?.getSettings() : undefined;
    return { surface: settings?.displaySurface ?? "camera", size: `${settings?.width}x${settings?.height}` };
  });
}

async function poll<T>(read: () => Promise<T>, expected: T, message: string, timeout = UI_TIMEOUT_MS): Promise<void> {
  await expect.poll(read, { timeout, message }).toEqual(expected);
}

describe.skipIf(inject("e2eSkip"))("the call's interface in real browsers", () => {
  const cast = useCast({ label: "ui", camera: "small" });
  beforeAll(() => {
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  /** Someone called `name` opening the room's link; stops at the hair check unless `join`. */
  async function arrive(room: string, name: string, { join = true, viewport = LAPTOP } = {}): Promise<Visitor> {
    const person = await cast.person(name, { rememberName: true });
    const roomFrames: string[] = [];
    person.page.on("websocket", (socket) => {
      socket.on("framesent", ({ payload }) => roomFrames.push(String(payload)));
    });
    const visitor = { ...person, roomFrames };
    await person.page.setViewportSize(viewport);
    await person.page.goto(`/${room}`);
    await person.page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: UI_TIMEOUT_MS });
    if (join) await enter(visitor);
    return visitor;
  }

  async function enter(person: Person): Promise<void> {
    await joinFromHairCheck(person.page);
    await person.page.getByTestId("self-tile").waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
  }

  /** A picture without a hover state left over from the last click. */
  async function screenshot(person: Person, name: string): Promise<void> {
    await person.page.mouse.move(0, 0);
    await person.page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
  }

  const newRoom = () => `ui-${randomBytes(8).toString("hex")}`;

  it("looks right: home, hair check, a room of three, the chat, at laptop and phone width", async () => {
    const room = newRoom();
    const home = await cast.person("home");
    for (const [label, viewport] of [
      ["", LAPTOP],
      ["-phone", PHONE],
    ] as const) {
      await home.page.setViewportSize(viewport);
      await home.page.goto("/");
      await home.page.getByRole("textbox", { name: "Room name" }).waitFor();
      await expect.poll(() => home.page.getByRole("textbox", { name: "Room name" }).inputValue()).not.toBe("");
      await screenshot(home, `home${label}`);
    }

    const ada = await arrive(room, "Ada Lovelace", { join: false });
    // The picture a person sees: the preview playing, not the moment before its first frame.
    await ada.page
      .getByTestId("preview")
      .locator("video")
      .evaluate(
        (video: HTMLVideoElement) =>
          new Promise<void>((resolve) => {
            if (video.readyState >= 2) resolve();
            else video.addEventListener("loadeddata", () => resolve(), { once: true });
          }),
        undefined,
        { timeout: MEDIA_TIMEOUT_MS },
      );
    await expect.poll(() => ada.page.title()).toBe(`${room} · natter`);
    await screenshot(ada, "hair-check");
    await enter(ada);
    const bob = await arrive(room, "Bob", { viewport: PHONE, join: false });
    await bob.page.getByTestId("preview").locator("video").waitFor({ timeout: MEDIA_TIMEOUT_MS });
    await screenshot(bob, "hair-check-phone");
    await enter(bob);
    const cy = await arrive(room, "Cy Twombly");

    await Promise.all([ada, bob, cy].map((person) => waitForDecodedVideoFrom(person.page, 2)));
    await screenshot(ada, "room-3-people");
    await screenshot(bob, "room-3-people-phone");

    await ada.page.getByRole("button", { name: "Chat" }).click();
    await ada.page.getByLabel("Message to everyone").fill("Slides are at https://example.com/deck — have a look");
    await ada.page.getByLabel("Message to everyone").press("Enter");
    await bob.page.getByRole("button", { name: "Chat, 1 unread" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await bob.page.getByRole("button", { name: /^Chat/ }).click();
    await bob.page.getByLabel("Message to everyone").fill("Thanks! Looking now.");
    await bob.page.getByLabel("Message to everyone").press("Enter");
    await ada.page.getByRole("log").getByText("Thanks! Looking now.").waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshot(ada, "room-chat");
    await screenshot(bob, "room-chat-phone");
    // Three browsers and two page sizes on a two-core machine: slower than one call, never a timing test.
  }, 240_000);

  it("mute and camera off in one page show as a badge and an avatar in the other", async () => {
    const room = newRoom();
    const ada = await arrive(room, "Ada");
    const bob = await arrive(room, "Bob");
    await waitForDecodedVideoFrom(bob.page, 1);
    const adaOnBob = remoteTile(bob.page, "Ada");
    const mutedBadge = adaOnBob.getByRole("img", { name: "Microphone muted" });
    const avatar = adaOnBob.getByTestId("avatar");
    await poll(() => mutedBadge.count(), 0, "Ada starts unmuted");
    await poll(() => avatar.count(), 0, "Ada starts with her camera on");

    await ada.page.getByRole("button", { name: "Mute microphone" }).click();
    await ada.page.getByRole("button", { name: "Unmute microphone" }).waitFor();
    await poll(() => mutedBadge.count(), 1, "Bob sees Ada's muted badge");
    // Chromium's fake microphone keeps beeping: Ada is told she is talking into a muted microphone.
    await ada.page.getByText("You are muted").waitFor({ timeout: UI_TIMEOUT_MS });

    // The M shortcut unmutes; a shortcut typed into a field would not.
    await ada.page.keyboard.press("m");
    await poll(() => mutedBadge.count(), 0, "the badge goes when Ada unmutes");

    await ada.page.getByRole("button", { name: "Turn camera off" }).click();
    await poll(() => avatar.count(), 1, "Bob sees Ada's initials instead of her video");
    expect(await avatar.textContent()).toBe("A");
    // Her <video> stays: it still plays her voice.
    expect(await adaOnBob.locator("video").count()).toBe(1);

    await ada.page.keyboard.press("v");
    await poll(() => avatar.count(), 0, "the avatar goes when Ada's camera is back");
    await waitForDecodedVideoFrom(bob.page, 1);
  });

  it("a shared screen reaches the other side, and ends there when the browser's own bar stops it", async () => {
    const room = newRoom();
    const ada = await arrive(room, "Ada");
    const bob = await arrive(room, "Bob");
    await waitForDecodedVideoFrom(bob.page, 1);
    const adaOnBob = remoteTile(bob.page, "Ada");
    const camera = await selfViewSource(ada.page);
    expect(camera.surface, "the self view shows Ada's camera").toBe("camera");

    await ada.page.getByRole("button", { name: "Share screen" }).click();
    await ada.page.getByRole("button", { name: "Stop sharing" }).waitFor({ timeout: UI_TIMEOUT_MS });
    // The self view switches to the screen a render after the button does: wait for it, not for the button.
    await expect
      .poll(async () => (await selfViewSource(ada.page)).surface, {
        timeout: UI_TIMEOUT_MS,
        message: "Ada sees her screen",
      })
      .toBe("monitor");
    const screen = (await selfViewSource(ada.page)).size;
    expect(screen, "Chromium's fake screen differs from its fake camera").not.toBe(camera.size);

    await poll(() => adaOnBob.getAttribute("data-screen"), "true", "Bob's tile for Ada shows a screen");
    await adaOnBob.getByText("Presenting").waitFor();
    // Decoded at the screen's size, so these are the screen's frames, not the camera's.
    await poll(() => videoSize(adaOnBob), screen, "Bob decodes Ada's screen", MEDIA_TIMEOUT_MS);
    await waitForDecodedVideoFrom(bob.page, 1);
    await screenshot(bob, "room-screen-share");

    // "Stop sharing" in the browser's bar ends the track without asking the page; simulate exactly that event.
    await ada.page.evaluate(() => {
      const stream = document.querySelector<HTMLVideoElement>('[data-testid="self-tile"] video')?.srcObject;
      if (!(stream instanceof MediaStream)) throw new Error("Ada's self view shows no stream");
      stream.getVideoTracks()[0]?.dispatchEvent(new Event("ended"));
    });
    await ada.page.getByRole("button", { name: "Share screen" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await poll(() => adaOnBob.getAttribute("data-screen"), null, "Bob's tile for Ada is a camera again");
    // The encoder may start the camera small and grow it as bandwidth allows: what matters is that it is not the screen.
    await expect
      .poll(() => videoSize(adaOnBob), { timeout: MEDIA_TIMEOUT_MS, message: "Bob decodes Ada's camera again" })
      .not.toBe(screen);

    // And with the button.
    await ada.page.getByRole("button", { name: "Share screen" }).click();
    await poll(() => adaOnBob.getAttribute("data-screen"), "true", "sharing again");
    await ada.page.getByRole("button", { name: "Stop sharing" }).click();
    await poll(() => adaOnBob.getAttribute("data-screen"), null, "stopped with the button");
  });

  it("chat goes both ways over the data channels, never through the room, and stays text", async () => {
    const room = newRoom();
    const ada = await arrive(room, "Ada");
    const bob = await arrive(room, "Bob");
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);
    const toBob = "Hi Bob, the notes: https://example.com/notes?x=1.";
    const toAda = `Hi Ada <img src=x onerror="document.title='pwned'">`;

    await ada.page.getByRole("button", { name: "Chat" }).click();
    await ada.page.getByLabel("Message to everyone").fill(toBob);
    await ada.page.getByRole("button", { name: "Send message" }).click();

    await bob.page.getByRole("button", { name: "Chat, 1 unread" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await bob.page.keyboard.press("c");
    const bobLog = bob.page.getByRole("log", { name: "Messages" });
    const received = bobLog.getByRole("listitem").filter({ hasText: "Hi Bob" });
    await received.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await received.locator(".chat__name").textContent()).toBe("Ada");
    const link = received.getByRole("link", { name: "https://example.com/notes?x=1" });
    expect(await link.getAttribute("href")).toBe("https://example.com/notes?x=1");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await link.getAttribute("target")).toBe("_blank");

    await bob.page.getByLabel("Message to everyone").fill(toAda);
    await bob.page.getByLabel("Message to everyone").press("Enter");
    const adaLog = ada.page.getByRole("log", { name: "Messages" });
    await adaLog.getByText(toAda).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await adaLog.locator("img").count(), "markup in a message is shown, not run").toBe(0);
    expect(await ada.page.title()).not.toBe("pwned");

    for (const person of [ada, bob]) {
      const leaked = person.roomFrames.filter((frame) => frame.includes("Hi Bob") || frame.includes("Hi Ada"));
      expect(leaked, `${person.name} never sent chat text to the room`).toEqual([]);
    }
  });

  it("a new name shows up on the other side", async () => {
    const room = newRoom();
    const ada = await arrive(room, "Ada");
    const bob = await arrive(room, "Bob");
    await remoteTile(bob.page, "Ada").waitFor({ timeout: MEDIA_TIMEOUT_MS });

    await ada.page.getByRole("button", { name: "Settings" }).click();
    const settings = ada.page.getByRole("dialog", { name: "Settings" });
    await settings.getByLabel("Your name").fill("Ada Lovelace");
    await settings.getByRole("button", { name: "Save name" }).click();
    await settings.getByText(/everyone in the call sees your new name/).waitFor();
    await settings.getByRole("button", { name: "Done" }).click();

    await remoteTile(bob.page, "Ada Lovelace").waitFor({ timeout: UI_TIMEOUT_MS });
    await ada.page.getByTestId("self-tile").getByText("Ada Lovelace (you)").waitFor();
  });

  it("leaving goes to its own page, the other side drops the tile, and Rejoin comes back", async () => {
    const room = newRoom();
    const ada = await arrive(room, "Ada");
    const bob = await arrive(room, "Bob");
    await poll(() => bob.page.locator('[data-testid="remote-tile"]').count(), 1, "Bob sees Ada");

    await ada.page.getByRole("button", { name: "Leave call" }).click();
    await ada.page.getByRole("heading", { name: `You left ${room}` }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await ada.page.getByRole("link", { name: "New room" }).getAttribute("href")).toBe("/");
    await screenshot(ada, "left");
    await poll(() => bob.page.locator('[data-testid="remote-tile"]').count(), 0, "Bob's grid drops Ada");

    await ada.page.getByRole("button", { name: "Rejoin" }).click();
    await ada.page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await enter(ada);
    await poll(() => bob.page.locator('[data-testid="remote-tile"]').count(), 1, "Ada is back in Bob's grid");
    await waitForDecodedVideoFrom(bob.page, 1);
  });
});
