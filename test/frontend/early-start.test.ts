/**
 * The hand-over of what the page's first module started (frontend/early.ts): the camera's answer
 * and the room's socket go to the app only if they are what it would have asked for itself, at
 * most once, and anything not taken is let go. The browser parts (getUserMedia, WebSocket) are
 * stand-ins here; test/e2e/early-start.test.ts shows the real thing in Chromium.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openEarlySocket, takeEarlySocket } from "../../frontend/call/link/early-socket";
import { captureConstraints } from "../../frontend/call/media/constraints";
import { startEarlyCapture, takeEarlyCapture } from "../../frontend/call/media/early-capture";
import { LocalMedia } from "../../frontend/call/media/local-media";

/** A stream of stand-in tracks that remember being stopped. */
function fakeStream() {
  const tracks = [
    {
      kind: "audio",
      stopped: false,
      enabled: true,
      stop() {
        this.stopped = true;
      },
      addEventListener() {},
    },
    {
      kind: "video",
      stopped: false,
      enabled: true,
      stop() {
        this.stopped = true;
      },
      addEventListener() {},
    },
  ];
  return {
    tracks,
    stream: {
      getTracks: () => tracks,
      getAudioTracks: () => tracks.filter((t) => t.kind === "audio"),
      getVideoTracks: () => tracks.filter((t) => t.kind === "video"),
    } as unknown as MediaStream,
  };
}

describe("the early camera", () => {
  let asked: MediaStreamConstraints[];
  let made: ReturnType<typeof fakeStream>[];
  beforeEach(() => {
    asked = [];
    made = [];
    Object.defineProperty(navigator, "mediaDevices", {
      configurable: true,
      value: {
        getUserMedia: async (constraints: MediaStreamConstraints) => {
          asked.push(constraints);
          const made1 = fakeStream();
          made.push(made1);
          return made1.stream;
        },
      },
    });
  });
  afterEach(() => {
    // Nothing pending carries over into the next test.
    takeEarlyCapture(captureConstraints({}));
    vi.useRealTimers();
    Reflect.deleteProperty(navigator, "mediaDevices");
  });

  it("goes to LocalMedia when it asked the same question: one camera request, the same tracks", async () => {
    startEarlyCapture(captureConstraints({ videoinput: "cam-2" }));
    expect(asked).toHaveLength(1);
    const media = new LocalMedia({ choice: { videoinput: "cam-2" }, mediaDevices: null });
    await media.start();
    expect(asked).toHaveLength(1);
    expect(media.videoTrack.value).toBe(made[0]?.tracks[1]);
    expect(media.phase.value).toBe("ready");
    media.stop();
  });

  it("is let go when LocalMedia asks something else (a device picked meanwhile), which it then asks itself", async () => {
    startEarlyCapture(captureConstraints({}));
    const media = new LocalMedia({ choice: { videoinput: "cam-3" }, mediaDevices: null });
    await media.start();
    expect(asked).toHaveLength(2);
    await vi.waitFor(() => expect(made[0]?.tracks.every((t) => t.stopped)).toBe(true));
    expect(media.videoTrack.value).toBe(made[1]?.tracks[1]);
    media.stop();
  });

  it("is taken at most once, and never by a LocalMedia handed its own getUserMedia", async () => {
    startEarlyCapture(captureConstraints({}));
    const own = vi.fn(async () => fakeStream().stream);
    const media = new LocalMedia({ getUserMedia: own, mediaDevices: null, choice: {} });
    await media.start();
    expect(own).toHaveBeenCalledTimes(1);
    expect(takeEarlyCapture(captureConstraints({}))).not.toBeNull();
    expect(takeEarlyCapture(captureConstraints({}))).toBeNull();
    media.stop();
  });

  it("is let go when nobody takes it (the app never loaded), so the camera light goes off", async () => {
    vi.useFakeTimers();
    startEarlyCapture(captureConstraints({}));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(made[0]?.tracks.every((t) => t.stopped)).toBe(true);
    expect(takeEarlyCapture(captureConstraints({}))).toBeNull();
  });
});

describe("the early socket", () => {
  class StandInSocket extends EventTarget {
    static made: StandInSocket[] = [];
    readyState = 0;
    closedWith: number | null = null;
    constructor(readonly url: string) {
      super();
      StandInSocket.made.push(this);
    }
    close(code: number) {
      this.closedWith = code;
      this.readyState = 3;
    }
  }
  const URL_A = "ws://example.test/api/rooms/a/ws";
  beforeEach(() => {
    StandInSocket.made = [];
    vi.stubGlobal("WebSocket", StandInSocket);
  });
  afterEach(() => {
    takeEarlySocket("");
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("goes to the first taker for the same room, once", () => {
    openEarlySocket(URL_A);
    const socket = takeEarlySocket(URL_A);
    expect(socket).toBe(StandInSocket.made[0]);
    expect(takeEarlySocket(URL_A)).toBeNull();
    expect(StandInSocket.made[0]?.closedWith).toBeNull();
  });

  it("is closed when asked for another room, or when it closed meanwhile", () => {
    openEarlySocket(URL_A);
    expect(takeEarlySocket("ws://example.test/api/rooms/b/ws")).toBeNull();
    expect(StandInSocket.made[0]?.closedWith).toBe(1000);
    openEarlySocket(URL_A);
    const second = StandInSocket.made[1];
    if (second) second.readyState = 3;
    expect(takeEarlySocket(URL_A)).toBeNull();
  });

  it("is closed when nobody takes it", async () => {
    vi.useFakeTimers();
    openEarlySocket(URL_A);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(StandInSocket.made[0]?.closedWith).toBe(1000);
    expect(takeEarlySocket(URL_A)).toBeNull();
  });
});
