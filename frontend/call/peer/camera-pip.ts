/**
 * The camera beside a shared screen, on one connection. While we share, the screen takes the
 * camera's sender (replaceTrack), and this second, small video sender carries the camera, so the
 * others still see our face in a corner of our tile. It is added once, on the first share, with
 * addTransceiver (a negotiation, which perfect negotiation carries like any other), and kept for
 * the connection's life: later shares and stops only swap its track (null when not sharing), with
 * no further negotiation.
 *
 * Which received video is which: each side's main video is the first video transceiver of the
 * connection (created with the connection, or by the peer's first offer, whose camera or screen
 * m-line always comes before a later-added one), so any other video the peer sends is this camera.
 * addTransceiver (unlike addTrack) never takes over a transceiver the peer's offer created, so two
 * people sharing at once each get their own m-line.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import { PIP_BITRATE_BPS, PIP_FRAME_RATE, pipScale } from "../media/bitrate";

export class CameraPip {
  readonly #pc: RTCPeerConnection;
  #transceiver: RTCRtpTransceiver | null = null;
  readonly #remote = signal<MediaStream | null>(null);
  /** The peer's camera while it shares its screen; null when it sends none. */
  readonly remote: ReadonlySignal<MediaStream | null> = this.#remote;
  /** The peer's camera track we follow (its mute and unmute say whether it is sent). */
  #remoteTrack: MediaStreamTrack | null = null;

  constructor(pc: RTCPeerConnection) {
    this.#pc = pc;
  }

  /** Our small camera sender, once there is one (the upload budget leaves it its own small cap). */
  get sender(): RTCRtpSender | null {
    return this.#transceiver?.sender ?? null;
  }

  /**
   * Sends `track` as our camera beside the screen from now on; null stops it. Stopping makes the
   * transceiver inactive (a negotiation): that is what tells the peer, whose track then mutes,
   * rather than leaving it on the last frame.
   */
  send(track: MediaStreamTrack | null, stream: MediaStream | null): void {
    if (this.#pc.signalingState === "closed") return;
    const transceiver = this.#transceiver;
    if (!transceiver) {
      if (!track) return;
      const scaleResolutionDownBy = pipScale(track.getSettings().width);
      this.#transceiver = this.#pc.addTransceiver(track, {
        direction: "sendonly",
        streams: stream ? [stream] : [],
        sendEncodings: [{ maxBitrate: PIP_BITRATE_BPS, maxFramerate: PIP_FRAME_RATE, scaleResolutionDownBy }],
      });
      return;
    }
    if (transceiver.sender.track !== track)
      transceiver.sender
        .replaceTrack(track)
        .catch((error: unknown) => console.warn("natter: could not swap the pip", error));
    const direction = track ? "sendonly" : "inactive";
    if (transceiver.direction !== direction) transceiver.direction = direction;
  }

  /** A track from the peer: taken (true) if it is its camera beside the screen, not its main video. */
  received(track: MediaStreamTrack, transceiver: RTCRtpTransceiver | undefined): boolean {
    if (track.kind !== "video" || !transceiver) return false;
    const main = this.#pc.getTransceivers().find((t) => t.receiver.track.kind === "video");
    if (main === transceiver) return false;
    if (this.#remoteTrack !== track) {
      this.#remoteTrack = track;
      const stream = new MediaStream([track]);
      // A remote track is muted until its first frame and again when the peer stops sending it.
      const update = () => {
        if (this.#remoteTrack !== track) return;
        this.#remote.value = track.muted || track.readyState === "ended" ? null : stream;
      };
      for (const type of ["mute", "unmute", "ended"]) track.addEventListener(type, update);
      update();
    }
    return true;
  }
}
