/**
 * Safety codes in real browsers: in a three-person call, the two ends of every connection show
 * the same code (from the DTLS certificates each browser actually uses and the nonces the two
 * exchanged commit-then-reveal over the connection), and different connections show different
 * codes; no code shows before the exchange has finished, and a reveal that does not open its
 * commitment leaves "could not verify" instead of a code. Also: a display name carrying HTML
 * renders as text.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { waitForDecodedVideoFrom } from "../helpers/browser";
import { useCast } from "../helpers/cast";

const UI_TIMEOUT_MS = 20_000;

/**
 * Installed before the app: keeps every frame this page sends on the "safety" data channel
 * (the exchange's; chat has its own) until the test calls __releaseSafety(). The browser's own
 * send is used once released, so what arrives is exactly what the app wrote.
 */
const HOLD_SAFETY_FRAMES = `(() => {
  const send = RTCDataChannel.prototype.send;
  const held = [];
  let released = false;
  RTCDataChannel.prototype.send = function (data) {
    if (this.label === "safety" && !released) return void held.push([this, data]);
    return send.call(this, data);
  };
  window.__safetyHeld = () => held.length;
  window.__releaseSafety = () => {
    released = true;
    for (const [channel, data] of held.splice(0)) send.call(channel, data);
  };
})();`;

/** Installed before the app: its reveal carries a nonce other than the one it committed to. */
const TAMPER_SAFETY_REVEAL = `(() => {
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    if (this.label === "safety" && typeof data === "string" && data.includes('"reveal"'))
      data = data.replace(/"nonce":"(.)/, (_, first) => '"nonce":"' + (first === "0" ? "1" : "0"));
    return send.call(this, data);
  };
})();`;
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">';

describe.skipIf(inject("e2eSkip"))("safety codes in real browsers", () => {
  const cast = useCast({ label: "safety-code", camera: "small" });
  const arrive = (room: string, name: string, init?: string) => cast.arrive(room, name, { rememberName: true, init });

  /** Opens the tile's "Verify safety code" dialog, reads the code, and closes it again. */
  async function codeWith(page: Page, name: string, { markVerified = false } = {}): Promise<string> {
    await page.getByRole("button", { name: `Verify safety code with ${name}` }).click({ timeout: UI_TIMEOUT_MS });
    const dialog = page.getByRole("dialog", { name: `Safety code with ${name}` });
    const code = dialog.getByTestId("safety-code");
    await code.waitFor({ timeout: UI_TIMEOUT_MS });
    const text = (await code.textContent())?.trim() ?? "";
    if (markVerified)
      await dialog.getByRole("checkbox", { name: "Mark as verified" }).check({ timeout: UI_TIMEOUT_MS });
    await dialog.getByRole("button", { name: "Done" }).click({ timeout: UI_TIMEOUT_MS });
    return text;
  }

  it("shows identical codes on both ends of every connection, and different codes for different pairs", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const [ada, bo, cy] = [await arrive(room, "Ada"), await arrive(room, "Bo"), await arrive(room, "Cy")];
    for (const person of [ada, bo, cy]) await waitForDecodedVideoFrom(person.page, 2);

    const pairs = [
      [ada, bo],
      [ada, cy],
      [bo, cy],
    ] as const;
    const codes: string[] = [];
    for (const [one, other] of pairs) {
      const seenByOne = await codeWith(one.page, other.name);
      const seenByOther = await codeWith(other.page, one.name);
      expect(seenByOne).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
      expect(seenByOther, `${one.name} and ${other.name} see the same code`).toBe(seenByOne);
      codes.push(seenByOne);
    }
    expect(new Set(codes).size).toBe(3);

    // Marking a code as verified shows a badge on that tile only.
    await codeWith(ada.page, "Bo", { markVerified: true });
    const boTile = ada.page.locator('figure[data-testid="remote-tile"]').filter({ hasText: "Bo" });
    await expect.poll(() => boTile.getByRole("img", { name: "Safety code verified" }).count()).toBe(1);
    const cyTile = ada.page.locator('figure[data-testid="remote-tile"]').filter({ hasText: "Cy" });
    expect(await cyTile.getByRole("img", { name: "Safety code verified" }).count()).toBe(0);
  });

  /** Opens the dialog and waits for one of its three states; closes it again. */
  async function dialogState(page: Page, name: string): Promise<"code" | "waiting" | "failed"> {
    await page.getByRole("button", { name: `Verify safety code with ${name}` }).click({ timeout: UI_TIMEOUT_MS });
    const dialog = page.getByRole("dialog", { name: `Safety code with ${name}` });
    const states = ["code", "waiting", "failed"] as const;
    const shown = dialog.locator(states.map((state) => `[data-testid="${testIdOf(state)}"]`).join(", "));
    await shown.first().waitFor({ timeout: UI_TIMEOUT_MS });
    const testId = await shown.first().getAttribute("data-testid");
    await dialog.getByRole("button", { name: "Done" }).click({ timeout: UI_TIMEOUT_MS });
    return states.find((state) => testIdOf(state) === testId)!;
  }
  const testIdOf = (state: "code" | "waiting" | "failed") =>
    state === "code" ? "safety-code" : `safety-code-${state}`;

  it("shows no code before the exchange has finished, and the same code on both ends once it has", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const ada = await arrive(room, "Ada", HOLD_SAFETY_FRAMES);
    const bo = await arrive(room, "Bo");
    for (const person of [ada, bo]) await waitForDecodedVideoFrom(person.page, 1);
    // Ada has committed and (holding Bo's commitment) revealed, but neither frame has left her browser:
    // Bo has no commitment to answer, so neither end can have a code yet, however long we look.
    await expect
      .poll(() => ada.page.evaluate(() => (window as { __safetyHeld?: () => number }).__safetyHeld?.()), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(2);
    expect(await dialogState(ada.page, "Bo")).toBe("waiting");
    expect(await dialogState(bo.page, "Ada")).toBe("waiting");

    await ada.page.evaluate(() => (window as { __releaseSafety?: () => void }).__releaseSafety?.());
    const seenByAda = await codeWith(ada.page, "Bo");
    expect(seenByAda).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(await codeWith(bo.page, "Ada")).toBe(seenByAda);
  });

  it("shows 'could not verify' instead of a code when the other end's reveal does not open its commitment", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const ada = await arrive(room, "Ada");
    await arrive(room, "Mallory", TAMPER_SAFETY_REVEAL);
    await waitForDecodedVideoFrom(ada.page, 1);
    await expect.poll(() => dialogState(ada.page, "Mallory"), { timeout: UI_TIMEOUT_MS }).toBe("failed");
    await ada.page.getByRole("button", { name: "Verify safety code with Mallory" }).click();
    const dialog = ada.page.getByRole("dialog", { name: "Safety code with Mallory" });
    await expect.poll(() => dialog.getByRole("alert").textContent()).toContain("does not match what it committed to");
    expect(await dialog.getByTestId("safety-code").count()).toBe(0);
    expect(await dialog.getByRole("checkbox", { name: "Mark as verified" }).isDisabled()).toBe(true);
  });

  it("keeps the code through an ICE restart, which keeps the DTLS session and its certificates", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const [ada, bo] = [await arrive(room, "Ada"), await arrive(room, "Bo")];
    for (const person of [ada, bo]) await waitForDecodedVideoFrom(person.page, 1);
    const before = await codeWith(ada.page, "Bo");
    expect(await codeWith(bo.page, "Ada")).toBe(before);

    const ufrag = () =>
      ada.page.evaluate(() => {
        const [pc] = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
        return `${pc?.localDescription?.sdp.match(/a=ice-ufrag:(\S+)/)?.[1]} ${pc?.connectionState}`;
      });
    const [oldUfrag] = (await ufrag()).split(" ");
    await ada.page.evaluate(() =>
      (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections[0]?.restartIce(),
    );
    // New ICE credentials, negotiated and connected again.
    await expect
      .poll(
        async () => {
          const [now, state] = (await ufrag()).split(" ");
          return now !== oldUfrag && state === "connected";
        },
        { timeout: UI_TIMEOUT_MS },
      )
      .toBe(true);
    await waitForDecodedVideoFrom(ada.page, 1);
    expect(await codeWith(ada.page, "Bo")).toBe(before);
    expect(await codeWith(bo.page, "Ada")).toBe(before);
  });

  it("renders a display name carrying HTML as text and runs nothing", async () => {
    const room = `e2e-${randomBytes(8).toString("hex")}`;
    const mallory = await arrive(room, HOSTILE_NAME);
    const ada = await arrive(room, "Ada");
    const caption = ada.page.locator('figure[data-testid="remote-tile"] figcaption');
    await expect.poll(() => caption.textContent(), { timeout: UI_TIMEOUT_MS }).toContain(HOSTILE_NAME);
    expect(await ada.page.locator('figure[data-testid="remote-tile"] img[src="x"]').count()).toBe(0);
    for (const page of [ada.page, mallory.page]) {
      expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    }
  });
});
