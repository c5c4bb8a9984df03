/**
 * Background blur in real browsers: Chromium films a person (test/e2e/fixtures/person-camera.y4m:
 * a portrait between two sharp checkerboard strips), one person turns blur on, and what the other
 * page decodes is compared, block by block, with the camera's own picture.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import {
  joinFromHairCheck,
  MEDIA_TIMEOUT_MS,
  type Person,
  personCameraArgs,
  waitForDecodedVideoFrom,
} from "../helpers/browser";
import { useCast } from "../helpers/cast";
import { BACKGROUND, cameraLuma, difference, PERSON, shownLuma } from "../helpers/frames";

const UI_TIMEOUT_MS = 20_000;
/** Loading the engine (about 0.8 MB) and compiling its wasm, on a busy two-core machine. */
const BLUR_TIMEOUT_MS = 60_000;
function newRoom(): string {
  return `e2e-${randomBytes(8).toString("hex")}`;
}

const REMOTE_VIDEO = 'figure[data-testid="remote-tile"] > video';

/** What the page sends as video on its first connection: "blurred" (the blur's generator track) or "camera". */
async function sentVideo(page: Page): Promise<string> {
  return page.evaluate(() => {
    const list = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
    const pc = list.find((one) => one.connectionState !== "closed");
    const track = pc?.getSenders().find((sender) => sender.track?.kind === "video")?.track;
    if (!track) return "none";
    const Generator = (window as unknown as { MediaStreamTrackGenerator?: new () => unknown })
      .MediaStreamTrackGenerator;
    return Generator && track instanceof Generator ? "blurred" : "camera";
  });
}

describe.skipIf(inject("e2eSkip"))("background blur in real browsers", () => {
  const cast = useCast({ label: "blur", chromiumArgs: personCameraArgs() });

  async function openHairCheck(room: string, name: string): Promise<Person> {
    const person = await cast.person(name, { rememberName: true });
    await person.page.goto(`/${room}`);
    await person.page.getByRole("heading", { name: "Ready to join?" }).waitFor({ timeout: UI_TIMEOUT_MS });
    return person;
  }

  async function join(person: Person): Promise<void> {
    await joinFromHairCheck(person.page);
    await person.page.getByTestId("self-tile").waitFor({ state: "visible", timeout: MEDIA_TIMEOUT_MS });
  }

  it("the other page sees the background blurred and the person as filmed; without blur, both as filmed", async () => {
    const camera = cameraLuma();
    const room = newRoom();
    const ada = await openHairCheck(room, "Ada");
    await ada.page.getByRole("checkbox", { name: "Blur my background" }).check();
    // The preview shows the blurred picture before Ada joins.
    await expect
      .poll(async () => difference(await shownLuma(ada.page, '[data-testid="preview"] video'), camera, BACKGROUND), {
        timeout: BLUR_TIMEOUT_MS,
        message: "Ada's preview shows her background blurred",
      })
      .toBeGreaterThan(40);
    await join(ada);
    const bob = await openHairCheck(room, "Bob");
    await join(bob);
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);

    // Bob, who receives Ada's blurred camera.
    await expect
      .poll(async () => difference(await shownLuma(bob.page, REMOTE_VIDEO), camera, BACKGROUND), {
        timeout: MEDIA_TIMEOUT_MS,
        message: "Bob sees Ada's background blurred",
      })
      .toBeGreaterThan(40);
    const blurred = await shownLuma(bob.page, REMOTE_VIDEO);
    const blurredBackground = difference(blurred, camera, BACKGROUND);
    const blurredPerson = difference(blurred, camera, PERSON);
    // Ada, who receives Bob's camera as filmed: the measure itself sees no blur where there is none.
    await expect.poll(async () => (await shownLuma(ada.page, REMOTE_VIDEO)).length).toBeGreaterThan(0);
    const plain = await shownLuma(ada.page, REMOTE_VIDEO);
    const plainBackground = difference(plain, camera, BACKGROUND);
    const plainPerson = difference(plain, camera, PERSON);
    console.info(
      `luma difference from the camera (0-255): blurred background ${blurredBackground.toFixed(1)}, person ${blurredPerson.toFixed(1)}; ` +
        `unblurred background ${plainBackground.toFixed(1)}, person ${plainPerson.toFixed(1)}`,
    );
    expect(blurredBackground, "blur changes the background a lot").toBeGreaterThan(40);
    expect(blurredPerson, "the person stays as filmed").toBeLessThan(15);
    expect(plainBackground, "without blur the background arrives as filmed").toBeLessThan(15);
    expect(plainPerson, "without blur the person arrives as filmed").toBeLessThan(15);
    expect(await sentVideo(ada.page)).toBe("blurred");
    expect(await sentVideo(bob.page)).toBe("camera");
  }, 180_000);

  it("turning blur on and off mid-call swaps the sent track without renegotiating; camera off and screen sharing still work", async () => {
    const room = newRoom();
    const ada = await openHairCheck(room, "Ada");
    await join(ada);
    const bob = await openHairCheck(room, "Bob");
    await join(bob);
    await Promise.all([waitForDecodedVideoFrom(ada.page, 1), waitForDecodedVideoFrom(bob.page, 1)]);
    // Every offer or answer moves the signalling state; none may happen from here on.
    const watch = () =>
      (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections
        .filter((pc) => pc.connectionState !== "closed")
        .map((pc) => {
          const record = pc as RTCPeerConnection & { __changes?: number };
          record.__changes = 0;
          pc.addEventListener("signalingstatechange", () => {
            record.__changes = (record.__changes ?? 0) + 1;
          });
          return pc.localDescription?.sdp ?? "";
        });
    const changes = () =>
      (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections
        .filter((pc) => pc.connectionState !== "closed")
        .map((pc) => ({
          changes: (pc as RTCPeerConnection & { __changes?: number }).__changes ?? 0,
          sdp: pc.localDescription?.sdp ?? "",
        }));
    const before = { ada: await ada.page.evaluate(watch), bob: await bob.page.evaluate(watch) };
    const camera = cameraLuma();
    const bobSees = async () => difference(await shownLuma(bob.page, REMOTE_VIDEO), camera, BACKGROUND);

    await ada.page.getByRole("button", { name: "Settings" }).click();
    const dialog = ada.page.getByRole("dialog", { name: "Settings" });
    await dialog.getByRole("checkbox", { name: "Blur my background" }).check();
    await expect.poll(() => sentVideo(ada.page), { timeout: UI_TIMEOUT_MS }).toBe("blurred");
    await expect.poll(bobSees, { timeout: BLUR_TIMEOUT_MS, message: "Bob sees the blur" }).toBeGreaterThan(40);
    await dialog.getByRole("checkbox", { name: "Blur my background" }).uncheck();
    await expect.poll(() => sentVideo(ada.page), { timeout: UI_TIMEOUT_MS }).toBe("camera");
    await expect
      .poll(bobSees, { timeout: MEDIA_TIMEOUT_MS, message: "Bob sees the camera as filmed" })
      .toBeLessThan(15);
    await dialog.getByRole("checkbox", { name: "Blur my background" }).check();
    await expect.poll(bobSees, { timeout: BLUR_TIMEOUT_MS, message: "and blurred again" }).toBeGreaterThan(40);
    await ada.page.getByRole("button", { name: "Done" }).click();

    // Camera off and on with blur on: Bob sees her avatar, then her blurred camera again.
    const adaOnBob = bob.page.locator('figure[data-testid="remote-tile"]');
    await ada.page.getByRole("button", { name: "Turn camera off" }).click();
    await expect.poll(() => adaOnBob.getByTestId("avatar").count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    await ada.page.getByRole("button", { name: "Turn camera on" }).click();
    await expect.poll(() => adaOnBob.getByTestId("avatar").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    await waitForDecodedVideoFrom(bob.page, 1);
    await expect
      .poll(bobSees, { timeout: MEDIA_TIMEOUT_MS, message: "blurred after the camera came back" })
      .toBeGreaterThan(40);

    const after = { ada: await ada.page.evaluate(changes), bob: await bob.page.evaluate(changes) };
    for (const [name, list] of Object.entries(after)) {
      expect(
        list.map((pc) => pc.changes),
        `${name}'s connections never renegotiated`,
      ).toEqual(list.map(() => 0));
      expect(
        list.map((pc) => pc.sdp),
        `${name}'s descriptions are the ones from before`,
      ).toEqual(before[name as "ada" | "bob"]);
    }

    // Sharing the screen with blur on: the screen goes out as it is, and the camera comes back blurred.
    await ada.page.getByRole("button", { name: "Share screen" }).click();
    await expect.poll(() => adaOnBob.getAttribute("data-screen"), { timeout: UI_TIMEOUT_MS }).toBe("true");
    await ada.page.getByRole("button", { name: "Stop sharing" }).click();
    await expect.poll(() => adaOnBob.getAttribute("data-screen"), { timeout: UI_TIMEOUT_MS }).toBe(null);
    await expect.poll(() => sentVideo(ada.page), { timeout: UI_TIMEOUT_MS }).toBe("blurred");
    await expect.poll(bobSees, { timeout: MEDIA_TIMEOUT_MS, message: "blurred after sharing" }).toBeGreaterThan(40);
  }, 240_000);

  it("blur loads only when turned on, nothing from another origin: its files come from /assets/, cached for good, under a CSP without eval", async () => {
    const room = newRoom();
    const person = await cast.person("Ada");
    const origin = new URL(inject("e2eBaseUrl")).origin;
    const elsewhere: string[] = [];
    const assets = new Map<string, string | null>();
    person.page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.protocol === "data:" || url.protocol === "blob:") return;
      if (url.origin !== origin) elsewhere.push(request.url());
    });
    person.page.on("response", (response) => {
      const { pathname } = new URL(response.url());
      if (/\.(wasm|tflite)$|tflite-simd.*\.js$|engine-.*\.js$/.test(pathname))
        assets.set(pathname, response.headers()["cache-control"] ?? null);
    });
    const page = await person.page.goto(`/${room}`);
    const csp = (await page?.allHeaders())?.["content-security-policy"] ?? "";
    const box = person.page.getByRole("checkbox", { name: "Blur my background" });
    await box.waitFor({ timeout: UI_TIMEOUT_MS });
    await person.page.waitForLoadState("networkidle");
    expect([...assets.keys()], "nothing of the blur is fetched before it is turned on").toEqual([]);
    await box.check();
    await expect
      .poll(
        async () => difference(await shownLuma(person.page, '[data-testid="preview"] video'), cameraLuma(), BACKGROUND),
        {
          timeout: BLUR_TIMEOUT_MS,
          message: "the preview is blurred",
        },
      )
      .toBeGreaterThan(40);

    expect(elsewhere, "requests that left the origin").toEqual([]);
    const fetched = [...assets.keys()];
    expect(
      fetched.some((path) => path.endsWith(".wasm")),
      `the runtime's wasm in ${fetched}`,
    ).toBe(true);
    expect(
      fetched.some((path) => path.endsWith(".tflite")),
      `the model in ${fetched}`,
    ).toBe(true);
    for (const [path, cacheControl] of assets) {
      expect(path.startsWith("/assets/"), path).toBe(true);
      expect(cacheControl, `${path} is cached for good`).toContain("immutable");
    }
    expect(
      csp
        .split(";")
        .find((part) => part.trim().startsWith("script-src"))
        ?.trim(),
    ).toBe("script-src 'self' 'wasm-unsafe-eval'");
  }, 120_000);
});
