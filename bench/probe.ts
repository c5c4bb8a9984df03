/**
 * What the bench injects into every page before any of the page's own script runs. It wraps
 * WebSocket and RTCPeerConnection (subclasses, so `instanceof` and statics still work) and times
 * the join from the inside, in the page's own clock: `performance.now()` counts from navigation
 * start, so every mark is "ms since the person opened the link" with no harness latency in it.
 * Nothing in the product knows about this; it works on natter and on the floor page alike.
 *
 * `probe` is serialised by Playwright and run in the page: it may only use browser globals.
 */

export interface SocketTally {
  count: number;
  bytes: number;
}

export interface PeerMarks {
  createdAt: number;
  /** The latest connectionState: says, in a failed run's report, whether a connection gave up or was still trying. */
  state: string;
  connectedAt: number | null;
  /** First remote video track announced (ontrack). */
  trackAt: number | null;
  /** First time getStats showed framesDecoded > 0 on an inbound video stream (polled every 10 ms once connected). */
  firstFrameAt: number | null;
  /** First VideoFrame out of a MediaStreamTrackProcessor on the remote track: a cross-check with no polling in it. */
  firstFrameProcessorAt: number | null;
}

export interface ProbeState {
  /** A Join button (the hair check's) became visible and enabled. */
  joinShownAt: number | null;
  /** That button was clicked. */
  clickAt: number | null;
  socketOpenAt: number | null;
  /** First frame from the room whose JSON type is "welcome". */
  welcomeAt: number | null;
  peers: PeerMarks[];
  /** Frames the page sent to / got from the room, heartbeats (ping/pong) left out. */
  sent: SocketTally;
  received: SocketTally;
  /** The same, by message type ("signal:candidate", "peer-joined", …), to say where the cost goes. */
  byType: Record<string, { sent: number; received: number; bytes: number }>;
}

export interface ProbeOptions {
  /** Asks the camera for 160×120 at 10 fps whatever the page wants: eight people on two cores need it. */
  smallVideo: boolean;
}

export function probe(options: ProbeOptions): void {
  const w = window as unknown as typeof globalThis & { __bench?: ProbeState };
  if (w.__bench) return;
  const state: ProbeState = {
    joinShownAt: null,
    clickAt: null,
    socketOpenAt: null,
    welcomeAt: null,
    peers: [],
    sent: { count: 0, bytes: 0 },
    received: { count: 0, bytes: 0 },
    byType: {},
  };
  Object.defineProperty(w, "__bench", { value: state });
  const now = () => performance.now();
  const encoder = new TextEncoder();
  const HEARTBEATS = new Set(['{"type":"ping"}', '{"type":"pong"}']);

  const typeOf = (text: string): string => {
    try {
      const body = text.startsWith("@") ? text.slice(text.indexOf(" ") + 1) : text;
      const message = JSON.parse(body) as { type?: string; data?: Record<string, unknown> } & Record<string, unknown>;
      if (typeof message.type !== "string") return Object.keys(message)[0] ?? "?";
      if (message.type === "signal" && message.data) return `signal:${Object.keys(message.data)[0] ?? "?"}`;
      return message.type;
    } catch {
      return "?";
    }
  };
  const tally = (direction: "sent" | "received", data: unknown): string | null => {
    if (typeof data !== "string" || HEARTBEATS.has(data)) return null;
    const bytes = encoder.encode(data).byteLength;
    state[direction].count++;
    state[direction].bytes += bytes;
    const type = typeOf(data);
    const row = state.byType[type] ?? { sent: 0, received: 0, bytes: 0 };
    state.byType[type] = row;
    row[direction]++;
    row.bytes += bytes;
    return type;
  };

  const NativeSocket = w.WebSocket;
  w.WebSocket = class WebSocket extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("open", () => {
        state.socketOpenAt ??= now();
      });
      // Added before the page can add its own listener, so the mark is taken before the page reacts.
      this.addEventListener("message", (event: MessageEvent) => {
        const at = now();
        if (tally("received", event.data) === "welcome") state.welcomeAt ??= at;
      });
    }
    override send(data: string | ArrayBuffer | Blob | ArrayBufferView<ArrayBuffer>): void {
      tally("sent", data);
      super.send(data);
    }
  };

  const NativePeerConnection = w.RTCPeerConnection;
  w.RTCPeerConnection = class RTCPeerConnection extends NativePeerConnection {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      const marks: PeerMarks = {
        createdAt: now(),
        state: this.connectionState,
        connectedAt: null,
        trackAt: null,
        firstFrameAt: null,
        firstFrameProcessorAt: null,
      };
      state.peers.push(marks);
      this.addEventListener("connectionstatechange", () => {
        marks.state = this.connectionState;
        if (this.connectionState !== "connected" || marks.connectedAt !== null) return;
        marks.connectedAt = now();
        this.#pollFrames(marks);
      });
      this.addEventListener("track", ({ track }) => {
        if (track.kind !== "video" || marks.trackAt !== null) return;
        marks.trackAt = now();
        this.#watchFirstFrame(marks, track);
      });
    }

    /** One getStats at a time, every 10 ms, until a frame has been decoded (or the connection is gone). */
    #pollFrames(marks: PeerMarks): void {
      const poll = async () => {
        if (marks.firstFrameAt !== null || this.connectionState === "closed") return;
        try {
          const report = await this.getStats();
          report.forEach((stat: { type?: string; kind?: string; framesDecoded?: number }) => {
            if (stat.type === "inbound-rtp" && stat.kind === "video" && (stat.framesDecoded ?? 0) > 0) {
              marks.firstFrameAt ??= now();
            }
          });
        } catch {
          return;
        }
        if (marks.firstFrameAt === null) setTimeout(poll, 10);
      };
      void poll();
    }

    #watchFirstFrame(marks: PeerMarks, track: MediaStreamTrack): void {
      const Processor = (
        w as unknown as {
          MediaStreamTrackProcessor?: new (init: {
            track: MediaStreamTrack;
          }) => { readable: ReadableStream<{ close(): void }> };
        }
      ).MediaStreamTrackProcessor;
      if (typeof Processor !== "function") return;
      // A clone, so that stopping it afterwards leaves the page's own track alone.
      const clone = track.clone();
      const reader = new Processor({ track: clone }).readable.getReader();
      void reader
        .read()
        .then(({ value }) => {
          if (value) marks.firstFrameProcessorAt ??= now();
          value?.close();
        })
        .catch(() => {})
        .finally(() => {
          void reader.cancel().catch(() => {});
          clone.stop();
        });
    }
  } as unknown as typeof RTCPeerConnection;

  if (options.smallVideo && typeof navigator.mediaDevices?.getUserMedia === "function") {
    const devices = navigator.mediaDevices;
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (constraints?: MediaStreamConstraints) =>
      getUserMedia(
        constraints?.video
          ? {
              ...constraints,
              video: {
                ...(typeof constraints.video === "object" ? constraints.video : {}),
                width: 160,
                height: 120,
                frameRate: 10,
              },
            }
          : constraints,
      );
  }

  // The hair check's button, however the page builds it: the first enabled <button> whose text starts with "Join".
  const lookForJoin = () => {
    if (state.joinShownAt !== null) return;
    for (const button of document.querySelectorAll("button")) {
      if (/^\s*Join/.test(button.textContent ?? "") && !button.disabled && button.getClientRects().length > 0) {
        state.joinShownAt = now();
        observer.disconnect();
        return;
      }
    }
  };
  const observer = new MutationObserver(lookForJoin);
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["disabled"] });
  document.addEventListener(
    "click",
    (event) => {
      const button = (event.target as Element | null)?.closest?.("button");
      if (button && /^\s*Join/.test(button.textContent ?? "")) state.clickAt ??= now();
    },
    true,
  );
  // A page that joins by itself never shows the button; stop looking once it is in.
  const stopLooking = setInterval(() => {
    if (state.welcomeAt !== null || state.joinShownAt !== null) {
      observer.disconnect();
      clearInterval(stopLooking);
    }
  }, 250);
}
