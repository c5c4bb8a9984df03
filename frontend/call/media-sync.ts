/**
 * Keeps every connection and every peer in step with our media. A new camera or microphone, or a
 * shared screen, is swapped in with replaceTrack (in a mesh, sending the screen instead of the
 * camera keeps the upload the same and needs no renegotiation with anyone; only the camera's
 * thumbnail beside it costs one, on the first share); muting or sharing is
 * told to the others through the room (peer-state), so their badges follow; and every connection
 * gets its share of one upload budget (bitrate.ts) as people come and go. While we share, our
 * camera also goes beside the screen as a thumbnail (peer/camera-pip.ts), unless turned off.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import type { ClientMessage } from "../../common/protocol";
import { readSetting, writeSetting } from "../services/storage";
import type { LocalMediaHandle } from "./media/local-media-handle";
import type { ScreenShare } from "./media/screen-share";
import type { PeerConnection } from "./peer/peer-connection";
import type { Member } from "./roster";
import { Scope } from "./scope";
import { StatePacer } from "./state-pacer";

export interface MediaSyncDeps {
  media: LocalMediaHandle;
  screen: ScreenShare;
  members: ReadonlySignal<ReadonlyMap<string, Member>>;
  send(message: ClientMessage): void;
  now(): number;
}

export class MediaSync {
  readonly #deps: MediaSyncDeps;
  /** Runs for the whole call: the upload budget. */
  readonly #scope = new Scope();
  /** Runs while we are in with our media: senders and peer-state (stopped when turned away at the door). */
  #sync: Scope | null = null;
  /** The media state the others last heard from us, so that only changes are sent. */
  #sentState: string | null = null;
  /** Bumped by every welcome: the room forgets media state when we reconnect, so it is said again. */
  readonly #stateEpoch = signal(0);
  /** Our media state goes out within the room's budget for it, the latest always last (state-pacer.ts). */
  readonly #statePacer: StatePacer<ClientMessage>;
  readonly #cameraWhileSharing = signal(readSetting(CAMERA_WHILE_SHARING_KEY) !== "off");
  /** Whether our camera goes beside a shared screen; remembered on this device. */
  readonly cameraWhileSharing: ReadonlySignal<boolean> = this.#cameraWhileSharing;

  constructor(deps: MediaSyncDeps) {
    this.#deps = deps;
    this.#statePacer = new StatePacer((message) => deps.send(message), deps.now);
    // Every connection shares one upload budget (bitrate.ts): re-split whenever someone comes or goes.
    this.#scope.effect(() => {
      const members = deps.members.value;
      for (const member of members.values()) member.connection?.setVideoBudget(members.size);
    });
  }

  /** What we send as video: the shared screen in place of the camera while we share. */
  outgoingVideo(): MediaStreamTrack | null {
    return this.#deps.screen.track.value ?? this.#deps.media.videoTrack.value;
  }

  /** Our camera as a thumbnail beside the screen: while sharing, with the camera on, unless turned off. */
  pipVideo(): MediaStreamTrack | null {
    const { screen, media } = this.#deps;
    if (!screen.track.value || !this.#cameraWhileSharing.value || !media.cameraOn.value) return null;
    return media.videoTrack.value;
  }

  setCameraWhileSharing(on: boolean): void {
    this.#cameraWhileSharing.value = on;
    writeSetting(CAMERA_WHILE_SHARING_KEY, on ? "on" : "off");
  }

  /** A new connection sends what everyone else gets, from its first offer on (a shared screen included). */
  prime(connection: PeerConnection): void {
    connection.setTrack("video", this.outgoingVideo(), this.#deps.media.stream.value);
    connection.setPip(this.pipVideo(), this.#deps.media.stream.value);
  }

  /** A welcome (first or after a reconnect): the room forgot our media state, so it is said again. */
  welcomed(): void {
    this.#statePacer.reset();
    this.#sentState = null;
    this.#stateEpoch.value += 1;
  }

  start(): void {
    if (this.#sync) return;
    this.#sentState = null;
    const sync = new Scope();
    this.#sync = sync;
    const { media, screen, members } = this.#deps;
    sync.effect(() => {
      const audio = media.audioTrack.value;
      const video = this.outgoingVideo();
      const stream = media.stream.value;
      const pip = this.pipVideo();
      for (const { connection } of members.value.values()) {
        // In SFU mode a member may have no peer connection: the SFU carries our media (sfu-route.ts).
        connection?.setTrack("audio", audio, stream);
        connection?.setTrack("video", video, stream);
        connection?.setPip(pip, stream);
      }
    });
    sync.effect(() => {
      this.#stateEpoch.value;
      const current = {
        // Holding push to talk is unmuted for the others too: their badge and speaking bars follow.
        audio: (media.micOn.value || media.pushToTalk.value) && media.audioTrack.value !== null,
        video: media.cameraOn.value && media.videoTrack.value !== null,
        screen: screen.track.value !== null,
      };
      const text = JSON.stringify(current);
      if (text === this.#sentState) return;
      this.#sentState = text;
      this.#statePacer.send({ type: "state", ...current });
    });
  }

  stop(): void {
    this.#statePacer.reset();
    this.#sync?.dispose();
    this.#sync = null;
  }

  dispose(): void {
    this.stop();
    this.#scope.dispose();
  }
}

const CAMERA_WHILE_SHARING_KEY = "natter:camera-while-sharing";
