/** Proves the harness itself (wrangler dev is up, Chromium launches and loads the app) before blaming a call. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, newPerson } from "../helpers/browser";

describe.skipIf(inject("e2eSkip"))("e2e harness", () => {
  const baseUrl = inject("e2eBaseUrl");
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium(inject("e2eChromiumPath"));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("the Worker answers /api/health", async () => {
    const response = await fetch(`${baseUrl}/api/health`);
    expect(response.status).toBe(200);
  });

  it("Chromium loads the app and records peer connections without breaking instanceof", async () => {
    const person = await newPerson(browser, baseUrl, "probe");
    try {
      const response = await person.page.goto("/");
      expect(response?.status()).toBe(200);
      const probe = await person.page.evaluate(() => {
        const recorded = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
        const pc = new RTCPeerConnection();
        const result = {
          recorded: recorded.length,
          isInstance: pc instanceof RTCPeerConnection,
          hasStaticMethod: typeof RTCPeerConnection.generateCertificate === "function",
          name: RTCPeerConnection.name,
        };
        pc.close();
        return result;
      });
      expect(probe).toEqual({ recorded: 1, isInstance: true, hasStaticMethod: true, name: "RTCPeerConnection" });
    } finally {
      await person.context.close();
    }
  });
});
