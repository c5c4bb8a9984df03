/**
 * This page's media in SFU mode: what it publishes to the SFU, what it pulls from it, and the
 * streams it hands the tiles. Loaded on demand (sfu-route.ts imports it only when a call turns
 * to SFU mode), so mesh calls never download it.
 *
 *   publish  our microphone ("mic") and camera ("cam", simulcast at full, half and quarter width),
 *            and our screen ("screen") while we share; a new device is swapped in with
 *            replaceTrack; a track that goes away (camera off, sharing stopped) is closed, and
 *            published again when it comes back, since the SFU drops a track that carries no
 *            media for 30 s anyway.
 *   pull     what planSfu (sfu-plan.ts) says, from the room's `sfu-tracks` news and how big each
 *            tile is drawn, one plan at a time; planning again while one runs just marks it due.
 *
 * Every sender and every pulled receiver goes through `protect` before the first frame, which
 * encrypts and decrypts frames end to end (sfu-security.ts): the SFU forwards only ciphertext.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import type { ClientMessage, ServerMessage } from "../../../common/protocol";
import {
  FULL_WIDTH,
  type HeldTrack,
  type PullInFlight,
  planSfu,
  SCREEN_TRACK,
  type SfuAction,
  type SfuMember,
  type SimulcastLayer,
  simulcastLayers,
} from "./sfu-plan";
import { SfuRequests } from "./sfu-requests";
import { type SfuPulledTrack, SfuSession, SfuSessionDisposed } from "./sfu-session";

export const CAMERA_TRACK = "cam";

/** The narrowest simulcast layer worth sending: below it, browsers drop the layer anyway. */
export const MIN_LAYER_WIDTH = 320;

/**
 * The simulcast layers a camera `width` pixels wide is published in: full, half and quarter width,
 * each only while at least MIN_LAYER_WIDTH wide (720p: 1280, 640, 320; 360p: 640, 320; smaller:
 * one layer, no simulcast). A layer the browser would not send must not be one a tile can ask for:
 * the SFU falls back only to lower layers, so a tile asking for one that is not sent could get nothing.
 */
export function cameraLayers(width = FULL_WIDTH): SimulcastLayer[] {
  return simulcastLayers(width).filter((layer, i) => i === 0 || layer.width >= MIN_LAYER_WIDTH);
}
export const MIC_TRACK = "mic";

/** A failed pull is not asked again sooner than this (then twice as long, up to the cap). */
export const PULL_RETRY_MS = 2_000;
export const PULL_RETRY_MAX_MS = 30_000;

/** What encrypts our frames and decrypts each member's (sfu-security.ts). */
export interface SfuProtection {
  /** Extra configuration for the SFU connection (the fallback transform API needs one). */
  readonly configuration: RTCConfiguration;
  protectSender(sender: RTCRtpSender): void;
  protectReceiver(receiver: RTCRtpReceiver, from: string): void;
}

/** What we send: each null when we have none (no microphone, camera off, not sharing). */
export interface SfuLocalMedia {
  audio: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
}

/** A member's media as its tile draws it: camera (or screen while sharing) and microphone; the camera beside a screen. */
export interface SfuMemberMedia {
  stream: MediaStream | null;
  pip: MediaStream | null;
  /** The receiver of the member's microphone, for its level. */
  audio: RTCRtpReceiver | null;
  /** The receiver of what the tile shows, to tell when its first frame has been decoded. */
  video: RTCRtpReceiver | null;
}

export interface SfuCallOptions {
  /** Sends an sfu-* request over the room socket. */
  send(message: ClientMessage): void;
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  protection: SfuProtection;
  /** The simulcast layers to publish the camera in; by default, those its width allows (cameraLayers). */
  layers?: SimulcastLayer[];
  now?: () => number;
}

interface Published {
  mid: string;
  track: MediaStreamTrack;
}

export class SfuCall {
  readonly #requests: SfuRequests;
  readonly #session: SfuSession;
  readonly #protection: SfuProtection;
  /** Fixed by the options, or set from the camera's width when it is first published. */
  #layers: SimulcastLayer[] | null;
  readonly #now: () => number;
  /** Our published tracks by name, and the names on their way out. */
  readonly #published = new Map<string, Published>();
  readonly #publishing = new Set<string>();
  #local: SfuLocalMedia = { audio: null, camera: null, screen: null };
  /** Each member's published tracks, as the room's latest sfu-tracks said. */
  readonly #announced = new Map<string, readonly string[]>();
  #members: readonly Omit<SfuMember, "tracks">[] = [];
  /** What we pull, by mid. */
  readonly #held = new Map<string, HeldTrack & { receiver: RTCRtpReceiver }>();
  /** Pulls sent and not yet arrived, by "from trackName"; a failed one stays until its retry time. */
  readonly #pulling = new Map<string, PullInFlight & { retryAt?: number }>();
  /**
   * The last wait before retrying each pull that failed, by "from trackName", kept apart from
   * #pulling (whose entries go when the pull is sent again) so that each failure doubles it;
   * forgotten once the track arrives.
   */
  readonly #retryWaits = new Map<string, number>();
  #planning = false;
  #replan = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #disposed = false;
  readonly #media = signal<ReadonlyMap<string, SfuMemberMedia>>(new Map());
  /** Every member's media pulled so far. */
  readonly media: ReadonlySignal<ReadonlyMap<string, SfuMemberMedia>> = this.#media;
  readonly #publishedSignal = signal(false);
  /** True once the SFU took at least one of our tracks: our media goes through it. */
  readonly publishing: ReadonlySignal<boolean> = this.#publishedSignal;

  constructor(options: SfuCallOptions) {
    this.#protection = options.protection;
    this.#layers = options.layers ?? null;
    this.#now = options.now ?? Date.now;
    this.#requests = new SfuRequests({ send: options.send });
    this.#session = new SfuSession({
      requests: this.#requests,
      configuration: {
        iceServers: options.iceServers,
        iceTransportPolicy: options.iceTransportPolicy ?? "all",
        bundlePolicy: "max-bundle",
        ...options.protection.configuration,
      },
      protect: {
        sender: (sender) => options.protection.protectSender(sender),
        receiver: (receiver, from) => options.protection.protectReceiver(receiver, from),
      },
      onTrack: (pulled) => this.#arrived(pulled),
    });
  }

  /** The SFU connection (its stats, for the quality badge and tests). */
  get connection(): RTCPeerConnection {
    return this.#session.connection;
  }

  /** One of the room's messages: true when it was ours (an SFU reply or error, or sfu-tracks). */
  receive(message: ServerMessage): boolean {
    if (this.#requests.receive(message)) return true;
    if (message.type !== "sfu-tracks") return false;
    if (message.tracks.length === 0) this.#announced.delete(message.id);
    else this.#announced.set(message.id, message.tracks);
    this.#plan();
    return true;
  }

  /** The room socket dropped: what is out fails; requests go on once it is back (the room kept our session). */
  socketClosed(): void {
    this.#requests.closed();
  }

  socketReopened(): void {
    this.#requests.reopen();
    this.#plan();
    void this.#publishAll();
  }

  /** Who is in the call (never us), how big their tiles are, who speaks and who shares. */
  setMembers(members: readonly Omit<SfuMember, "tracks">[]): void {
    // Announcements of anyone missing here stay: the engine lists only members whose key we hold,
    // and the room announces each track once, so one dropped now would never be pulled.
    this.#members = members;
    this.#plan();
  }

  /** A member left the call: what it published, and how long its failed pulls waited, go with it. */
  memberLeft(id: string): void {
    this.#announced.delete(id);
    for (const key of this.#retryWaits.keys()) if (key.startsWith(`${id} `)) this.#retryWaits.delete(key);
  }

  /** What we send; called whenever a track changes. */
  setLocal(local: SfuLocalMedia): void {
    this.#local = local;
    void this.#publishAll();
  }

  /** Stops publishing and pulling, and closes the connection to the SFU. */
  async close(): Promise<void> {
    if (this.#disposed) return;
    const mids = [...this.#held.keys(), ...[...this.#published.values()].map((p) => p.mid)];
    this.#held.clear();
    this.#published.clear();
    this.#publishing.clear();
    this.#updateMedia();
    // The room would close them when we leave; in a call going back to mesh we stay, so we say so.
    if (mids.length > 0) await this.#session.close(mids).catch(() => {});
    this.dispose();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#session.dispose();
    this.#requests.closed();
    this.#media.value = new Map();
  }

  /** Publishes what is not out yet, swaps tracks that changed, closes what went away. */
  async #publishAll(): Promise<void> {
    if (this.#disposed) return;
    const wanted = this.#wanted();
    const closing: string[] = [];
    const adding: { track: MediaStreamTrack; trackName: string; sendEncodings?: RTCRtpEncodingParameters[] }[] = [];
    for (const [name, track] of wanted) {
      const out = this.#published.get(name);
      if (out && track) {
        if (out.track !== track) {
          out.track = track;
          void this.#senderOf(out.mid)?.replaceTrack(track);
        }
      } else if (out && !track) {
        this.#published.delete(name);
        closing.push(out.mid);
      } else if (!out && track && !this.#publishing.has(name)) {
        this.#publishing.add(name);
        const sendEncodings = name === CAMERA_TRACK ? this.#encodings(track) : undefined;
        adding.push({ track, trackName: name, ...(sendEncodings && { sendEncodings }) });
      }
    }
    try {
      if (closing.length > 0) await this.#session.close(closing);
      if (adding.length === 0) return;
      const took = await this.#session.publish(adding);
      for (const { mid, trackName } of took) {
        const track = adding.find((a) => a.trackName === trackName)?.track;
        if (track) this.#published.set(trackName, { mid, track });
      }
      if (took.length > 0) this.#publishedSignal.value = true;
    } catch (error) {
      if (!(error instanceof SfuSessionDisposed)) console.warn("natter: could not publish to the SFU", error);
    } finally {
      for (const { trackName } of adding) this.#publishing.delete(trackName);
    }
    // A track that changed while the publish was out is caught up now.
    if (!this.#disposed && this.#differs()) void this.#publishAll();
  }

  /** Each track name we publish, with the track it should carry now (null: none). */
  #wanted(): [string, MediaStreamTrack | null][] {
    return [
      [MIC_TRACK, this.#local.audio],
      [CAMERA_TRACK, this.#local.camera],
      [SCREEN_TRACK, this.#local.screen],
    ];
  }

  #differs(): boolean {
    return this.#wanted().some(([name, track]) => (this.#published.get(name)?.track ?? null) !== track);
  }

  /** The camera's simulcast encodings, widest first; none when its width allows only one layer. */
  #encodings(camera: MediaStreamTrack): RTCRtpEncodingParameters[] | undefined {
    this.#layers ??= cameraLayers(camera.getSettings?.().width);
    if (this.#layers.length < 2) return undefined;
    const widest = Math.max(...this.#layers.map((l) => l.width));
    return [...this.#layers]
      .sort((a, b) => b.width - a.width)
      .map((l) => ({ rid: l.rid, scaleResolutionDownBy: widest / l.width }));
  }

  #senderOf(mid: string): RTCRtpSender | undefined {
    return this.#session.connection.getTransceivers().find((t) => t.mid === mid)?.sender;
  }

  #arrived(pulled: SfuPulledTrack): void {
    const key = `${pulled.from} ${pulled.trackName}`;
    this.#pulling.delete(key);
    this.#retryWaits.delete(key);
    const receiver = this.#session.connection.getTransceivers().find((t) => t.mid === pulled.mid)?.receiver;
    if (!receiver) return;
    this.#held.set(pulled.mid, {
      from: pulled.from,
      trackName: pulled.trackName,
      mid: pulled.mid,
      layer: null,
      receiver,
    });
    this.#updateMedia();
    this.#plan();
  }

  /** Plans and carries out the plan; a call while one runs makes it run once more at the end. */
  #plan(): void {
    if (this.#disposed) return;
    if (this.#planning) {
      this.#replan = true;
      return;
    }
    this.#planning = true;
    void this.#carryOut().finally(() => {
      this.#planning = false;
      if (this.#replan && !this.#disposed) {
        this.#replan = false;
        this.#plan();
      }
    });
  }

  async #carryOut(): Promise<void> {
    const now = this.#now();
    const members: SfuMember[] = this.#members.map((m) => ({ ...m, tracks: this.#announced.get(m.id) ?? [] }));
    const actions = planSfu({
      members,
      held: [...this.#held.values()],
      inFlight: [...this.#pulling.values()],
      // A member's camera comes in the layers ours does (all natter pages publish the same way);
      // with one layer (a small camera) there is nothing to choose.
      layers: (this.#layers?.length ?? 0) >= 2 ? (this.#layers ?? []) : [],
      layeredTracks: new Set([CAMERA_TRACK]),
    });
    for (const action of actions) {
      if (this.#disposed) return;
      await this.#do(action, now).catch((error) => {
        if (!(error instanceof SfuSessionDisposed)) console.warn(`natter: SFU ${action.type} failed`, error);
      });
    }
    this.#scheduleRetry();
  }

  async #do(action: SfuAction, now: number): Promise<void> {
    switch (action.type) {
      case "close":
        for (const mid of action.mids) this.#held.delete(mid);
        this.#updateMedia();
        await this.#session.close(action.mids);
        return;
      case "pull": {
        // Not asked again while out, nor for a while after it failed.
        const keys = action.trackNames.map((name) => `${action.from} ${name}`);
        const waiting = keys.some((k) => (this.#pulling.get(k)?.retryAt ?? 0) > now);
        if (waiting) return;
        for (const [i, k] of keys.entries())
          this.#pulling.set(k, { from: action.from, trackName: action.trackNames[i] as string });
        try {
          await this.#session.pull(action.from, action.trackNames);
        } catch (error) {
          for (const k of keys) {
            const wait = Math.min(PULL_RETRY_MAX_MS, (this.#retryWaits.get(k) ?? PULL_RETRY_MS / 2) * 2);
            this.#retryWaits.set(k, wait);
            const [from, trackName] = k.split(" ") as [string, string];
            this.#pulling.set(k, { from, trackName, retryAt: this.#now() + wait });
          }
          throw error;
        }
        return;
      }
      case "layer": {
        const held = this.#held.get(action.mid);
        if (held) held.layer = action.layer;
        await this.#session.setLayer(action.mid, action.layer);
        return;
      }
    }
  }

  /** Failed pulls wait for their time, then the plan runs again. */
  #scheduleRetry(): void {
    if (this.#retryTimer || this.#disposed) return;
    const times = [...this.#pulling.values()].flatMap((p) => (p.retryAt === undefined ? [] : [p.retryAt]));
    if (times.length === 0) return;
    const at = Math.min(...times);
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimer = null;
        const now = this.#now();
        for (const [k, p] of this.#pulling) if (p.retryAt !== undefined && p.retryAt <= now) this.#pulling.delete(k);
        this.#plan();
      },
      Math.max(0, at - this.#now()),
    );
  }

  /** Rebuilds each member's streams from what we hold. */
  #updateMedia(): void {
    const byMember = new Map<string, Map<string, HeldTrack & { receiver: RTCRtpReceiver }>>();
    for (const held of this.#held.values()) {
      const tracks = byMember.get(held.from) ?? new Map();
      tracks.set(held.trackName, held);
      byMember.set(held.from, tracks);
    }
    const previous = this.#media.peek();
    const next = new Map<string, SfuMemberMedia>();
    for (const [id, tracks] of byMember) {
      const sharing = this.#members.find((m) => m.id === id)?.sharing ?? false;
      const screen = tracks.get(SCREEN_TRACK);
      const camera = tracks.get(CAMERA_TRACK);
      const mic = tracks.get(MIC_TRACK);
      const shown = sharing && screen ? screen : (camera ?? screen);
      const pip = shown === screen && camera ? camera : undefined;
      const before = previous.get(id);
      const streamTracks = [shown, mic].flatMap((t) => (t ? [t.receiver.track] : []));
      next.set(id, {
        stream: sameTracks(before?.stream, streamTracks) ? (before?.stream ?? null) : stream(streamTracks),
        pip: pip
          ? sameTracks(before?.pip, [pip.receiver.track])
            ? (before?.pip ?? null)
            : stream([pip.receiver.track])
          : null,
        audio: mic?.receiver ?? null,
        video: shown?.receiver ?? null,
      });
    }
    this.#media.value = next;
  }
}

function stream(tracks: MediaStreamTrack[]): MediaStream | null {
  return tracks.length === 0 ? null : new MediaStream(tracks);
}

/** Whether `stream` holds exactly `tracks`, so views keep the same object (and do not re-attach) when nothing changed. */
function sameTracks(stream: MediaStream | null | undefined, tracks: readonly MediaStreamTrack[]): boolean {
  if (!stream) return tracks.length === 0;
  const have = stream.getTracks();
  return have.length === tracks.length && tracks.every((t) => have.includes(t));
}
