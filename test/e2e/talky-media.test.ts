/**
 * What Talky users had in a call, in real Chromium against a real `wrangler dev`: push to talk
 * carries sound only while Space is held (the other page's received audio level rises and falls),
 * "you are muted" shows and goes, and the per-person controls (mute, volume, hidden video) change
 * one page only. Each state is scanned by axe and photographed at laptop and phone width
 * (test-results/screenshots/, ignored by git) to be looked at.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { seriousViolations } from "../helpers/axe";
import {
  joinFromHairCheck,
  MEDIA_TIMEOUT_MS,
  type Person,
  receivedAudioLevel,
  waitForDecodedVideoFrom,
} from "../helpers/browser";
import { SCREENSHOTS, useCast } from "../helpers/cast";

const UI_TIMEOUT_MS = 30_000;
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** Chromium's fake microphone plays a steady tone (tooling/steady-voice.ts): well above this when sent, 0 when not. */
const HEARD = 0.003;

const newRoom = () => `talky-${randomBytes(8).toString("hex")}`;

const remoteTile = (page: Page, name: string): Locator =>
  page.locator('figure[data-testid="remote-tile"]').filter({ has: page.locator("figcaption", { hasText: name }) });

/** Video frames decoded so far on the connection whose sound `tile` plays. */
function framesFrom(tile: Locator): Promise<number> {
  return tile.locator("video").evaluate(async (video: HTMLVideoElement) => {
    const audio = (video.srcObject as MediaStream).getAudioTracks()[0];
    const list = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
    const pc = list.find((c) => c.getReceivers().some((receiver) => receiver.track === audio));
    let frames = 0;
    (await pc?.getStats())?.forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
      if (report.type === "inbound-rtp" && report.kind === "video") frames += report.framesDecoded ?? 0;
    });
    return frames;
  });
}

/** axe, then a screenshot at laptop and at phone width, of the page as it is now. */
async function lookAt(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page), name).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}talky-${name}-laptop.png` });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SCREENSHOTS}talky-${name}-phone.png` });
  expect(await seriousViolations(page), `${name}, phone width`).toEqual([]);
  await page.setViewportSize(LAPTOP);
}

describe.skipIf(inject("e2eSkip"))("Talky's call features in real browsers", () => {
  const cast = useCast({ label: "talky-media", camera: "small" });
  beforeAll(() => {
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  async function arrive(room: string, name: string, camera?: "app"): Promise<Person> {
    const person = await cast.arrive(room, name, { rememberName: true, camera });
    await person.page.setViewportSize(LAPTOP);
    return person;
  }

  it("push to talk: Space held while muted carries Ada's voice to Bob, letting go stops it", async () => {
    const room = newRoom();
    const ada = await arrive(room, "Ada");
    const bob = await arrive(room, "Bob");
    await waitForDecodedVideoFrom(bob.page, 1);
    const mutedBadge = remoteTile(bob.page, "Ada").getByRole("img", { name: "Microphone muted" });
    const heard = () => receivedAudioLevel(bob.page);
    await expect.poll(heard, { timeout: MEDIA_TIMEOUT_MS, message: "Bob hears Ada at first" }).toBeGreaterThan(HEARD);

    await ada.page.getByRole("button", { name: "Mute microphone" }).click();
    await expect.poll(heard, { timeout: UI_TIMEOUT_MS, message: "muted, Bob hears nothing" }).toBe(0);
    await expect.poll(() => mutedBadge.count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    // Speaking into a muted microphone: the hint, and the button pulses.
    await ada.page.getByText("You are muted").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await ada.page.locator(".control--pulse").count(), "the mute button pulses").toBe(1);
    await lookAt(ada.page, "muted-hint");

    // Focus on the page, not on a button (where Space presses the button).
    await ada.page.locator("main").click({ position: { x: 5, y: 5 } });
    await ada.page.keyboard.down(" ");
    await expect.poll(heard, { timeout: UI_TIMEOUT_MS, message: "Space held: Bob hears Ada" }).toBeGreaterThan(HEARD);
    await expect.poll(() => mutedBadge.count(), { timeout: UI_TIMEOUT_MS, message: "Bob sees Ada live" }).toBe(0);
    await ada.page.getByText("Talking. Let go of Space to mute again.").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await ada.page.getByText("You are muted").count(), "no muted hint while talking").toBe(0);
    await lookAt(ada.page, "push-to-talk");

    await ada.page.keyboard.up(" ");
    await expect.poll(heard, { timeout: UI_TIMEOUT_MS, message: "Space let go: silence again" }).toBe(0);
    await expect.poll(() => mutedBadge.count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    await expect(ada.page.getByRole("button", { name: "Unmute microphone" }).count()).resolves.toBe(1);

    // Held, then the window loses focus (the key-up would go elsewhere): it lets go by itself.
    await ada.page.keyboard.down(" ");
    await expect.poll(heard, { timeout: UI_TIMEOUT_MS, message: "held again: heard" }).toBeGreaterThan(HEARD);
    await ada.page.evaluate(() => window.dispatchEvent(new Event("blur")));
    await expect.poll(heard, { timeout: UI_TIMEOUT_MS, message: "window blurred: silence" }).toBe(0);
    await ada.page.keyboard.up(" ");

    // Space typed into the chat is a space, never push to talk.
    await ada.page.getByRole("button", { name: "Chat" }).click();
    const field = ada.page.getByLabel("Message to everyone");
    await field.click();
    await ada.page.keyboard.down(" ");
    await ada.page.keyboard.up(" ");
    expect(await field.inputValue()).toBe(" ");
    expect(await ada.page.getByText("Talking. Let go of Space to mute again.").count()).toBe(0);

    // Unmuting makes the hint go at once.
    await ada.page.getByRole("button", { name: "Unmute microphone" }).click();
    await expect.poll(() => ada.page.getByText("You are muted").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    await expect.poll(heard, { timeout: UI_TIMEOUT_MS, message: "unmuted: heard" }).toBeGreaterThan(HEARD);
  }, 180_000);

  // Three people: on a loaded two-core machine the mesh alone can take a minute.
  it("muting, turning down and hiding a person changes Ada's page only", async () => {
    const room = newRoom();
    const ada = await arrive(room, "Ada");
    const bob = await arrive(room, "Bob");
    const cy = await arrive(room, "Cy");
    await Promise.all([ada, bob, cy].map((person) => waitForDecodedVideoFrom(person.page, 2)));
    const bobOnAda = remoteTile(ada.page, "Bob");
    const bobOnCy = remoteTile(cy.page, "Bob");
    const volume = (tile: Locator) => tile.locator("video").evaluate((video: HTMLVideoElement) => video.volume);

    await bobOnAda.hover();
    await bobOnAda.getByRole("button", { name: "Sound and video of Bob" }).click();
    const muteForMe = ada.page.getByRole("button", { name: "Mute for me" });
    await muteForMe.click();
    expect(await muteForMe.getAttribute("aria-pressed")).toBe("true");
    // Applied by an effect after the render: polled, not read once.
    await expect
      .poll(() => volume(bobOnAda), { timeout: UI_TIMEOUT_MS, message: "Bob is silent on Ada's page" })
      .toBe(0);
    await bobOnAda.getByText("Muted for you").waitFor();
    expect(await volume(bobOnCy), "but not on Cy's").toBe(1);
    await expect
      .poll(() => receivedAudioLevel(cy.page), { timeout: UI_TIMEOUT_MS, message: "Cy still hears" })
      .toBeGreaterThan(HEARD);
    // Bob is not told: Ada's muting is not his microphone's.
    expect(await remoteTile(cy.page, "Bob").getByRole("img", { name: "Microphone muted" }).count()).toBe(0);
    expect(await remoteTile(ada.page, "Bob").getByRole("img", { name: "Microphone muted" }).count()).toBe(0);

    // Unmuted for her again, then the volume by keyboard: End/Home on the slider.
    await muteForMe.click();
    const slider = ada.page.getByRole("slider", { name: "Bob's volume" });
    await slider.focus();
    await ada.page.keyboard.press("ArrowLeft");
    await expect.poll(() => volume(bobOnAda), { timeout: UI_TIMEOUT_MS }).toBeCloseTo(0.95, 5);
    await ada.page.keyboard.press("Home");
    await expect.poll(() => volume(bobOnAda), { timeout: UI_TIMEOUT_MS, message: "volume 0 on Ada's page" }).toBe(0);
    expect(await slider.getAttribute("aria-valuetext")).toBe("0 %");
    await bobOnAda.getByText("Muted for you").waitFor();
    expect(await volume(bobOnCy)).toBe(1);

    // Hidden video: Bob's avatar on Ada's page, his picture still on Cy's.
    await ada.page.getByRole("button", { name: "Hide video for me" }).click();
    await bobOnAda.getByTestId("avatar").waitFor({ timeout: UI_TIMEOUT_MS });
    const adaTracks = await bobOnAda
      .locator("video")
      .evaluate((video: HTMLVideoElement) => (video.srcObject as MediaStream).getTracks().map((t) => t.kind));
    expect(adaTracks, "Ada's element keeps only Bob's sound").toEqual(["audio"]);
    expect(await bobOnCy.getByTestId("avatar").count()).toBe(0);
    await expect
      .poll(() => bobOnCy.locator("video").evaluate((video: HTMLVideoElement) => video.videoWidth), {
        timeout: MEDIA_TIMEOUT_MS,
      })
      .toBeGreaterThan(0);
    // Escape closes the menu and gives focus back to its button.
    await ada.page.keyboard.press("Escape");
    await expect
      .poll(() => ada.page.evaluate(() => document.activeElement?.getAttribute("aria-label")), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe("Sound and video of Bob");
    // For the report: whether Chromium keeps decoding a video that no element shows.
    const before = await framesFrom(bobOnAda);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    console.info(`frames of Bob's decoded by Ada's page in 2 s, hidden: ${(await framesFrom(bobOnAda)) - before}`);
    await lookAt(ada.page, "hidden-video");

    // Shown again.
    await bobOnAda.hover();
    await bobOnAda.getByRole("button", { name: "Sound and video of Bob" }).click();
    await ada.page.getByRole("button", { name: "Hide video for me" }).click();
    await expect.poll(() => bobOnAda.getByTestId("avatar").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    // Last, with the menu open: axe and the screenshots keep a loaded machine's page busy long enough
    // to miss heartbeats, and a reconnect would close the menu under the steps above.
    await lookAt(ada.page, "person-menu");
  }, 240_000);

  it("typing indicator: Bob sees Ada typing, peer to peer, until she sends or clears her draft", async () => {
    const room = newRoom();
    // Every frame Ada's page sends the room, from its first socket on.
    const ada = await cast.person("Ada", { rememberName: true });
    const roomFrames: string[] = [];
    ada.page.on("websocket", (socket) => socket.on("framesent", ({ payload }) => roomFrames.push(String(payload))));
    await ada.page.goto(`/${room}`);
    await joinFromHairCheck(ada.page);
    const bob = await arrive(room, "Bob");
    await waitForDecodedVideoFrom(bob.page, 1);
    await bob.page.getByRole("button", { name: "Chat" }).click();
    await ada.page.getByRole("button", { name: "Chat" }).click();
    const indicator = bob.page.locator(".chat__typing");
    const field = ada.page.getByLabel("Message to everyone");

    await field.pressSequentially("Hello Bo");
    await indicator.getByText("Ada is typing…").waitFor({ timeout: UI_TIMEOUT_MS });
    await lookAt(bob.page, "typing");
    await field.press("Enter");
    await expect.poll(() => indicator.textContent(), { timeout: UI_TIMEOUT_MS }).toBe("");
    await bob.page.getByText("Hello Bo").waitFor({ timeout: UI_TIMEOUT_MS });

    await field.pressSequentially("and");
    await indicator.getByText("Ada is typing…").waitFor({ timeout: UI_TIMEOUT_MS });
    await field.fill("");
    await field.dispatchEvent("input");
    await expect.poll(() => indicator.textContent(), { timeout: UI_TIMEOUT_MS }).toBe("");
    expect(roomFrames.length, "the room's frames were recorded").toBeGreaterThan(0);
    expect(
      roomFrames.some((frame) => frame.includes("typing")),
      "never through the room",
    ).toBe(false);
  });

  it("screen share: the others see the sharer's camera small in a corner, until it is turned off", async () => {
    const room = newRoom();
    // The camera the app asks for: a small one would make the thumbnail's scaling down prove nothing.
    const ada = await arrive(room, "Ada", "app");
    const bob = await arrive(room, "Bob");
    await waitForDecodedVideoFrom(bob.page, 1);
    const adaOnBob = remoteTile(bob.page, "Ada");
    const pip = adaOnBob.getByTestId("camera-pip");
    const width = (video: Locator) => video.evaluate((element: HTMLVideoElement) => element.videoWidth);

    await ada.page.getByRole("button", { name: "Share screen" }).click();
    await ada.page.getByRole("button", { name: "Stop sharing" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(() => adaOnBob.getAttribute("data-screen"), { timeout: UI_TIMEOUT_MS }).toBe("true");
    await pip.waitFor({ timeout: UI_TIMEOUT_MS });
    await expect
      .poll(() => width(pip.locator("video")), { timeout: MEDIA_TIMEOUT_MS, message: "the camera's frames arrive" })
      .toBeGreaterThan(0);
    const pipWidth = await width(pip.locator("video"));
    const screenWidth = await width(adaOnBob.locator(":scope > video"));
    expect(pipWidth, "a thumbnail, at most 320 pixels wide").toBeLessThanOrEqual(320);
    expect(screenWidth, "the screen itself stays large").toBeGreaterThan(pipWidth);
    console.info(`camera beside the screen: ${pipWidth} px wide; the screen ${screenWidth} px`);
    // The sharer sees what the others see.
    await ada.page.getByTestId("self-tile").getByTestId("camera-pip").waitFor({ timeout: UI_TIMEOUT_MS });
    await lookAt(bob.page, "camera-pip");

    // Turned off in the settings: gone on Bob's page too.
    await ada.page.getByRole("button", { name: "Settings" }).click();
    const setting = ada.page.getByRole("checkbox", { name: "Show my camera in a corner while I share my screen" });
    expect(await setting.isChecked()).toBe(true);
    await setting.uncheck();
    await ada.page.keyboard.press("Escape");
    await expect.poll(() => pip.count(), { timeout: UI_TIMEOUT_MS, message: "no camera beside the screen" }).toBe(0);
    expect(await adaOnBob.getAttribute("data-screen"), "still sharing").toBe("true");

    await ada.page.getByRole("button", { name: "Settings" }).click();
    await setting.check();
    await ada.page.keyboard.press("Escape");
    await pip.waitFor({ timeout: UI_TIMEOUT_MS });

    await ada.page.getByRole("button", { name: "Stop sharing" }).click();
    await expect.poll(() => pip.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    await expect.poll(() => adaOnBob.getAttribute("data-screen"), { timeout: UI_TIMEOUT_MS }).toBe(null);
  });
});
