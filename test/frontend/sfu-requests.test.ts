/**
 * SFU requests over the room socket (frontend/call/sfu/sfu-requests.ts): one out at a time, the
 * rest in order, each settled by its reply or by the error the room sends for it, given up after
 * 20 s, and failed when the socket closes. The socket here records what is sent; the room's
 * messages are fed in as the room sends them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ClientMessage, type ErrorCode, type ServerMessage, SFU_ERROR_CODES } from "../../common/protocol";
import {
  SFU_REQUEST_TIMEOUT_MS,
  type SfuRequest,
  SfuRequestError,
  SfuRequests,
  TRAILING_ERROR_GRACE_MS,
} from "../../frontend/call/sfu/sfu-requests";

const publish: SfuRequest = { type: "sfu-publish", offer: "v=0 offer", tracks: [{ mid: "0", trackName: "camera" }] };
const pull: SfuRequest = { type: "sfu-pull", from: "peer-a", tracks: ["camera"] };
const renegotiate: SfuRequest = { type: "sfu-renegotiate", answer: "v=0 answer" };
const close: SfuRequest = { type: "sfu-close", mids: ["0"], offer: "v=0 offer 2" };
const layer: SfuRequest = { type: "sfu-layer", mid: "1", layer: "q" };

const published: ServerMessage = {
  type: "sfu-published",
  answer: "v=0 sfu",
  tracks: [{ mid: "0", trackName: "camera" }],
};
const pulled: ServerMessage = {
  type: "sfu-pulled",
  offer: "v=0 sfu offer",
  tracks: [{ from: "peer-a", trackName: "camera", mid: "1" }],
};
const error = (code: ErrorCode, message = "no"): ServerMessage => ({ type: "error", code, message });

/** Lets queued promise callbacks and microtasks run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function setUp() {
  const sent: ClientMessage[] = [];
  const requests = new SfuRequests({ send: (m) => sent.push(m) });
  return { sent, requests };
}

/** A promise's outcome so far, without waiting for it. */
function track<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

describe("SfuRequests", () => {
  it("sends one request at a time and the next only once the first is answered", async () => {
    const { sent, requests } = setUp();
    const first = track(requests.request(publish));
    const second = track(requests.request(pull));
    await settle();
    expect(sent).toEqual([publish]);

    expect(requests.receive(published)).toBe(true);
    await settle();
    expect(first).toEqual({ value: published, done: true });
    expect(second.done).toBe(false);
    expect(sent).toEqual([publish, pull]);
  });

  it("sends queued requests in the order they were asked for", async () => {
    const { sent, requests } = setUp();
    const all = [publish, pull, renegotiate, layer, close].map((r) => track(requests.request(r)));
    const replies: ServerMessage[] = [
      published,
      pulled,
      { type: "sfu-renegotiated" },
      { type: "sfu-layer-set", mid: "1", layer: "q" },
      { type: "sfu-closed", mids: ["0"], answer: "v=0 sfu answer" },
    ];
    for (const [i, reply] of replies.entries()) {
      await settle();
      expect(sent).toHaveLength(i + 1);
      requests.receive(reply);
    }
    await settle();
    expect(sent).toEqual([publish, pull, renegotiate, layer, close]);
    expect(all.map((s) => s.value)).toEqual(replies);
  });

  it("settles a request only with its own reply type, leaving other messages to other listeners", async () => {
    const { requests } = setUp();
    const out = track(requests.request(pull));
    await settle();
    expect(requests.receive(published)).toBe(false);
    expect(requests.receive({ type: "sfu-renegotiated" })).toBe(false);
    expect(requests.receive({ type: "sfu-tracks", id: "peer-a", tracks: ["camera"] })).toBe(false);
    expect(requests.receive({ type: "peer-left", id: "peer-b" })).toBe(false);
    await settle();
    expect(out.done).toBe(false);
    expect(requests.receive(pulled)).toBe(true);
    await settle();
    expect(out.value).toEqual(pulled);
  });

  it("ignores a reply naming tracks its request did not ask for (a late answer to an earlier one)", async () => {
    const { requests } = setUp();
    const out = track(requests.request(pull));
    await settle();
    const stale: ServerMessage = { type: "sfu-pulled", tracks: [{ from: "peer-z", trackName: "camera", mid: "4" }] };
    expect(requests.receive(stale)).toBe(false);
    expect(requests.receive({ type: "sfu-layer-set", mid: "9", layer: "q" })).toBe(false);
    await settle();
    expect(out.done).toBe(false);
  });

  it("takes a reply with no message to other listeners when nothing is out", () => {
    const { requests } = setUp();
    expect(requests.receive(published)).toBe(false);
    expect(requests.receive(error("sfu-failed"))).toBe(false);
  });

  for (const code of SFU_ERROR_CODES) {
    it(`rejects the request that is out with ${code}, and the queued one goes next`, async () => {
      const { sent, requests } = setUp();
      const first = track(requests.request(close));
      const second = track(requests.request(layer));
      await settle();
      expect(requests.receive(error(code, `because ${code}`))).toBe(true);
      await settle();
      expect(first.error).toBeInstanceOf(SfuRequestError);
      expect(first.error).toMatchObject({ code, request: "sfu-close", message: `because ${code}` });
      expect(second.done).toBe(false);
      expect(sent).toEqual([close, layer]);
    });
  }

  it("takes bad-message as the request's own only when it names the request's type", async () => {
    const { requests } = setUp();
    const out = track(requests.request(publish));
    await settle();
    expect(requests.receive(error("bad-message", "Invalid `signal` message: to: bad"))).toBe(false);
    expect(requests.receive(error("bad-message", "Invalid `sfu-publish` message: offer: too long"))).toBe(true);
    await settle();
    expect(out.error).toMatchObject({ code: "bad-message", request: "sfu-publish" });
  });

  it("takes unknown-peer for a pull (its member left), but not for another request", async () => {
    const { requests } = setUp();
    const first = track(requests.request(layer));
    await settle();
    expect(requests.receive(error("unknown-peer"))).toBe(false);
    expect(requests.receive(error("rate-limited"))).toBe(false);
    requests.receive({ type: "sfu-layer-set", mid: "1", layer: "q" });
    const second = track(requests.request(pull));
    await settle();
    expect(first.done).toBe(true);
    expect(requests.receive(error("unknown-peer"))).toBe(true);
    await settle();
    expect(second.error).toMatchObject({ code: "unknown-peer", request: "sfu-pull" });
  });

  it("keeps the room's sfu-failed that follows a partial reply with that request, not the next", async () => {
    const { sent, requests } = setUp();
    const two: SfuRequest = { type: "sfu-pull", from: "peer-a", tracks: ["camera", "mic"] };
    const first = track(requests.request(two));
    const second = track(requests.request(layer));
    await settle();
    requests.receive({ type: "sfu-pulled", offer: "v=0", tracks: [{ from: "peer-a", trackName: "camera", mid: "1" }] });
    await settle();
    expect(first.done).toBe(true);
    expect(sent).toEqual([two]);
    expect(requests.receive(error("sfu-failed", "The SFU refused some tracks: mic: gone"))).toBe(true);
    await settle();
    expect(sent).toEqual([two, layer]);
    expect(second.done).toBe(false);
  });

  describe("with a fake clock", () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });
    const flush = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };

    it("gives a request up after 20 s, longer than the room's 15 s hold, and sends the next", async () => {
      const { sent, requests } = setUp();
      const first = track(requests.request(publish));
      const second = track(requests.request(pull));
      await flush();
      await vi.advanceTimersByTimeAsync(15_000);
      expect(first.done).toBe(false);
      await vi.advanceTimersByTimeAsync(SFU_REQUEST_TIMEOUT_MS - 15_000);
      await flush();
      expect(SFU_REQUEST_TIMEOUT_MS).toBe(20_000);
      expect(first.error).toMatchObject({ code: "timeout", request: "sfu-publish" });
      expect(sent).toEqual([publish, pull]);
      expect(second.done).toBe(false);
      // The late answer to the first is not taken for the second's.
      expect(requests.receive(published)).toBe(false);
    });

    it("counts the 20 s from when the request is sent, not from when it was queued", async () => {
      const { requests } = setUp();
      track(requests.request(publish));
      const second = track(requests.request(pull));
      await flush();
      await vi.advanceTimersByTimeAsync(19_000);
      requests.receive(published);
      await flush();
      await vi.advanceTimersByTimeAsync(19_000);
      expect(second.done).toBe(false);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(second.error).toMatchObject({ code: "timeout", request: "sfu-pull" });
    });

    it("sends the next after a partial reply even if the trailing error never comes", async () => {
      const { sent, requests } = setUp();
      const two: SfuRequest = { type: "sfu-close", mids: ["0", "1"] };
      track(requests.request(two));
      track(requests.request(layer));
      await flush();
      requests.receive({ type: "sfu-closed", mids: ["0"] });
      await flush();
      expect(sent).toEqual([two]);
      await vi.advanceTimersByTimeAsync(TRAILING_ERROR_GRACE_MS);
      await flush();
      expect(sent).toEqual([two, layer]);
    });
  });

  it("fails what is out and what is queued when the socket closes, and every later request", async () => {
    const { sent, requests } = setUp();
    const first = track(requests.request(publish));
    const second = track(requests.request(pull));
    await settle();
    requests.closed();
    await settle();
    expect(first.error).toMatchObject({ code: "closed", request: "sfu-publish" });
    expect(second.error).toMatchObject({ code: "closed", request: "sfu-pull" });
    await expect(requests.request(layer)).rejects.toMatchObject({ code: "closed" });
    expect(sent).toEqual([publish]);
    expect(requests.receive(published)).toBe(false);
  });

  it("fails a request the socket cannot send, and goes on with the next", async () => {
    let refuse = true;
    const sent: ClientMessage[] = [];
    const requests = new SfuRequests({
      send: (m) => {
        if (refuse) throw new Error("socket is not open");
        sent.push(m);
      },
    });
    const first = track(requests.request(publish));
    await settle();
    refuse = false;
    const second = track(requests.request(pull));
    await settle();
    expect(first.error).toMatchObject({ code: "closed", request: "sfu-publish" });
    expect(second.done).toBe(false);
    expect(sent).toEqual([pull]);
  });
});
