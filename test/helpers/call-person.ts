/**
 * One person in a call, whatever browser they use: the operations the cross-browser tests need
 * (open a room, set a name, join, read decoded video, chat, mute, camera, screen, safety codes),
 * written once against a tiny page driver that Playwright (Chromium) and puppeteer (Firefox)
 * each implement in a few lines. Only CSS selectors and in-page functions: Firefox answers
 * ARIA lookups in seconds, CSS in milliseconds, and the app's labels are in the CSS anyway.
 */
import { type FramesDecoded, MEDIA_TIMEOUT_MS, readVideoStats, waitForRisingFrames } from "./browser";

/**
 * One round trip through the room, or a data channel message, or one click: generous, because
 * three browsers on a shared two-core machine have been seen to take 20 s to answer a click.
 */
export const UI_TIMEOUT_MS = 30_000;

export type BrowserName = "chromium" | "firefox";

/** The little a browser must offer for a CallPerson; both tools have these under these names or close ones. */
export interface PageDriver {
  /** `path` relative to the app's origin. */
  goto(path: string): Promise<void>;
  url(): string;
  /** Runs `fn` in the page; it may use only browser globals and its one argument. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Waits for `selector` to be visible and enabled, then clicks it. */
  click(selector: string, timeoutMs?: number): Promise<void>;
  /** Replaces the value of the field matching `selector`, as typing would. */
  fill(selector: string, text: string, timeoutMs?: number): Promise<void>;
  /** Waits for `selector` to be in the page and visible. */
  waitFor(selector: string, timeoutMs?: number): Promise<void>;
  screenshot(path: string): Promise<void>;
  isClosed(): boolean;
  /** Closes the person's browser context (their tab and storage). */
  close(): Promise<void>;
}

/** What one remote tile shows about its person. */
export interface TileState {
  peerId: string | null;
  muted: boolean;
  cameraOff: boolean;
  screen: boolean;
}

export interface CallPerson {
  readonly name: string;
  readonly browser: BrowserName;
  readonly driver: PageDriver;
  /** Page errors and console errors/warnings, printed when a test fails. */
  readonly log: string[];
  /** Opens the room's link and waits for the hair check. */
  open(room: string): Promise<void>;
  /** Types a display name into the hair check. */
  setName(name: string): Promise<void>;
  /** Presses Join and waits for the self view. */
  join(): Promise<void>;
  /** open + setName(this.name) + join. */
  arrive(room: string): Promise<void>;
  decodedVideo(): Promise<FramesDecoded>;
  /** Decoded video rising on `count` live connections (one per remote peer). */
  waitForVideoFrom(count: number): Promise<FramesDecoded>;
  /** Remote tiles, by the name in their caption. */
  tiles(): Promise<Record<string, TileState>>;
  /** Waits until `name`'s tile shows `expected` (only the fields given). */
  waitForTile(name: string, expected: Partial<TileState>, timeoutMs?: number): Promise<TileState>;
  setMicrophone(on: boolean): Promise<void>;
  setCamera(on: boolean): Promise<void>;
  sendChat(text: string): Promise<void>;
  /** Waits until a message with exactly `text` from `from` is in the chat log (opening the chat if needed). */
  waitForChat(from: string, text: string, timeoutMs?: number): Promise<void>;
  /** Opens the safety code dialog for `name`, reads the code (waiting for it), closes the dialog. */
  safetyCodeWith(name: string, timeoutMs?: number): Promise<string>;
  /** Presses "Share screen"; resolves to what the page then says in its notice, or null once it shares. */
  shareScreen(timeoutMs?: number): Promise<string | null>;
}

const css = (value: string) => JSON.stringify(value);
const SELF_TILE = '[data-testid="self-tile"]';
const JOIN_BUTTON = "form.hair-check__form button.join-button";
const CHAT_BUTTON = 'button.control[aria-label^="Chat"]';
const CHAT_INPUT = ".chat__form textarea";

export function callPerson(name: string, browser: BrowserName, driver: PageDriver, log: string[]): CallPerson {
  const person: CallPerson = {
    name,
    browser,
    driver,
    log,

    async open(room) {
      await driver.goto(`/${room}`);
      await driver.waitFor(JOIN_BUTTON, MEDIA_TIMEOUT_MS);
    },

    async setName(displayName) {
      await driver.fill('input[autocomplete="nickname"]', displayName);
    },

    async join() {
      // "Joining…" while the room has not answered; the button is disabled then, so click() waits it out.
      await driver.click(JOIN_BUTTON, MEDIA_TIMEOUT_MS);
      await driver.waitFor(SELF_TILE, MEDIA_TIMEOUT_MS);
    },

    async arrive(room) {
      await person.open(room);
      await person.setName(name);
      await person.join();
    },

    decodedVideo: () => sampleFrames(driver),

    waitForVideoFrom: (count) =>
      waitForRisingFrames(() => sampleFrames(driver), `${name}'s ${browser} (${driver.url()})`, count),

    tiles: () => driver.evaluate(readTiles, null),

    async waitForTile(tileName, expected, timeoutMs = UI_TIMEOUT_MS) {
      let last: TileState | undefined;
      return poll(
        async () => {
          last = (await person.tiles())[tileName];
          const matches =
            last !== undefined &&
            Object.entries(expected).every(([key, value]) => last?.[key as keyof TileState] === value);
          return matches ? last : undefined;
        },
        timeoutMs,
        () =>
          `${name} (${browser}) should see ${tileName}'s tile as ${JSON.stringify(expected)}; last: ${JSON.stringify(last ?? "no such tile")}`,
      );
    },

    async setMicrophone(on) {
      await driver.click(`button.control[aria-label=${css(on ? "Unmute microphone" : "Mute microphone")}]`);
      await driver.waitFor(`button.control[aria-label=${css(on ? "Mute microphone" : "Unmute microphone")}]`);
    },

    async setCamera(on) {
      await driver.click(`button.control[aria-label=${css(on ? "Turn camera on" : "Turn camera off")}]`);
      await driver.waitFor(`button.control[aria-label=${css(on ? "Turn camera off" : "Turn camera on")}]`);
    },

    async sendChat(text) {
      await openChat(driver);
      await driver.fill(CHAT_INPUT, text);
      await driver.click('.chat__form button[aria-label="Send message"]');
      await waitForOwnMessage(driver, text);
    },

    async waitForChat(from, text, timeoutMs = UI_TIMEOUT_MS) {
      await openChat(driver);
      let last: { name: string; text: string }[] = [];
      await poll(
        async () => {
          last = await driver.evaluate(readChat, null);
          return last.some((m) => m.name === from && m.text === text) ? true : undefined;
        },
        timeoutMs,
        () => `${name} (${browser}) should read “${text}” from ${from}; the log has ${JSON.stringify(last)}`,
      );
    },

    async safetyCodeWith(peer, timeoutMs = UI_TIMEOUT_MS) {
      await driver.click(
        `figure[data-testid="remote-tile"] button[aria-label=${css(`Verify safety code with ${peer}`)}]`,
      );
      await driver.waitFor("dialog[open]");
      let shown = "";
      try {
        return await poll(
          async () => {
            const read = await driver.evaluate(readDialog, null);
            shown = read.text;
            return read.code ?? undefined;
          },
          timeoutMs,
          () => `${name} (${browser}) shows no safety code with ${peer}; the dialog says: ${shown}`,
        );
      } finally {
        await driver.click("dialog[open] .actions button");
      }
    },

    async shareScreen(timeoutMs = UI_TIMEOUT_MS) {
      await driver.click('button.control[aria-label="Share screen"]');
      return poll(
        async () => {
          const state = await driver.evaluate(readScreenState, null);
          if (state.sharing) return { said: null };
          return state.notice ? { said: state.notice } : undefined;
        },
        timeoutMs,
        () => `${name} (${browser}) neither shares a screen nor says why not`,
      ).then((result) => result.said);
    },
  };
  return person;
}

async function sampleFrames(driver: PageDriver): Promise<FramesDecoded> {
  const connections = await driver.evaluate(readVideoStats, null);
  return { total: connections.reduce((sum, c) => sum + (c.framesDecoded ?? 0), 0), connections };
}

async function openChat(driver: PageDriver): Promise<void> {
  const open = await driver.evaluate(() => document.querySelector(".chat__form textarea") !== null, null);
  if (!open) await driver.click(CHAT_BUTTON);
  await driver.waitFor(CHAT_INPUT);
}

async function waitForOwnMessage(driver: PageDriver, text: string): Promise<void> {
  await poll(
    async () =>
      (await driver.evaluate(readChat, null)).some((m) => m.name === "You" && m.text === text) ? true : undefined,
    UI_TIMEOUT_MS,
    () => `the sent message “${text}” never showed in the sender's own log`,
  );
}

/** Polls `read` until it returns something other than undefined. */
async function poll<T>(read: () => Promise<T | undefined>, timeoutMs: number, failure: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// The functions below run inside the page: browser globals only.

function readTiles(): Record<string, TileState> {
  const tiles: Record<string, TileState> = {};
  for (const tile of document.querySelectorAll('figure[data-testid="remote-tile"]')) {
    const name = tile.querySelector(".tile__caption")?.textContent ?? "";
    tiles[name] = {
      peerId: tile.getAttribute("data-peer-id"),
      muted: tile.querySelector(".tile__muted") !== null,
      cameraOff: tile.querySelector('[data-testid="avatar"]') !== null,
      screen: tile.getAttribute("data-screen") === "true",
    };
  }
  return tiles;
}

function readChat(): { name: string; text: string }[] {
  return [...document.querySelectorAll(".chat__log .chat__message")].map((message) => ({
    name: message.querySelector(".chat__name")?.textContent ?? "",
    text: message.querySelector(".chat__text")?.textContent ?? "",
  }));
}

function readDialog(): { code: string | null; text: string } {
  const dialog = document.querySelector("dialog[open]");
  const code = dialog?.querySelector('[data-testid="safety-code"]')?.textContent?.trim();
  return { code: code || null, text: dialog?.textContent?.trim() ?? "(no dialog open)" };
}

function readScreenState(): { sharing: boolean; notice: string | null } {
  const sharing = document.querySelector('button.control[aria-label="Stop sharing"]') !== null;
  const notice = document.querySelector(".room__news .notice")?.textContent?.trim();
  return { sharing, notice: notice || null };
}
