/**
 * One stand-in session: one werift peer connection, as a Realtime session is one WebRTC connection
 * ("A session represents one endpoint's WebRTC connection to the SFU", sessions-and-tracks page,
 * "Sessions"). It publishes tracks from the endpoint's offers and pulls other sessions' tracks with
 * offers of its own that the endpoint answers through `renegotiate` (negotiation page, "Offer and answer").
 */
import { type MediaStreamTrack, RTCPeerConnection } from "werift";
import { bundleConsistentExtensions } from "./bundle-extensions";
import { ApiError, MID_NOT_FOUND, TRACK_NOT_FOUND } from "./errors";
import { routeFeedbackByMediaSsrc } from "./feedback-routing";
import { standinPeerConfig } from "./peer-config";
import { PublishedTrack, Subscription } from "./published-track";
import type { TrackRegistry } from "./registry";
import type { NewTracksBody, SessionDescription, TrackResult, TracksAnswer, UpdateTracksBody } from "./shapes";
import type { Simulcast } from "./simulcast";

export class StandinSession {
  readonly pc = new RTCPeerConnection(standinPeerConfig());
  private readonly published = new Map<string, PublishedTrack>();
  private readonly pulled = new Map<string, Subscription>();
  /** Tracks that arrived per mid before or after their publish request (a simulcast mid has one per RID). */
  private readonly incoming = new Map<string, MediaStreamTrack[]>();

  constructor(
    readonly id: string,
    private readonly registry: TrackRegistry,
  ) {
    this.pc.ontrack = ({ track, transceiver }) => {
      if (!transceiver.mid) return;
      this.incoming.set(transceiver.mid, [...(this.incoming.get(transceiver.mid) ?? []), track]);
      this.published.get(transceiver.mid)?.attach(track);
    };
    routeFeedbackByMediaSsrc(this.pc);
    // A subscriber that has just connected needs a keyframe before it can show anything.
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") for (const subscription of this.pulled.values()) subscription.source.requestKeyframe();
    });
  }

  /** Applies the endpoint's offer and returns the complete answer (candidates included: no trickle). */
  async answer(offer: SessionDescription): Promise<SessionDescription> {
    if (offer.type !== "offer")
      throw new ApiError("badState", "sessionDescription must be an offer here; answers go to /renegotiate");
    if (this.pc.signalingState !== "stable")
      throw new ApiError("badState", "an SFU offer is waiting for its answer: PUT /renegotiate first");
    await this.pc.setRemoteDescription(offer);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return { type: "answer", sdp: this.pc.localDescription?.sdp ?? "" };
  }

  async newTracks(body: NewTracksBody): Promise<TracksAnswer> {
    const local = body.tracks.filter((track) => track.location === "local");
    const remote = body.tracks.filter((track) => track.location === "remote");
    if (local.length > 0 && remote.length > 0)
      throw new ApiError("unsupported", "the stand-in takes local and remote tracks in separate calls");
    if (local.length > 0) {
      if (!body.sessionDescription)
        throw new ApiError("unsupported", "the stand-in publishes local tracks only from an endpoint offer");
      const answer = await this.answerPublishing(body.sessionDescription, local);
      return answer;
    }
    if (body.sessionDescription)
      throw new ApiError(
        "unsupported",
        "the stand-in pulls remote tracks only with an SFU offer (no sessionDescription)",
      );
    return this.offerPulling(remote);
  }

  private async answerPublishing(
    offer: SessionDescription,
    tracks: { mid: string; trackName: string }[],
  ): Promise<TracksAnswer> {
    const sessionDescription = await this.answer(offer);
    const results: TrackResult[] = tracks.map(({ mid, trackName }) => {
      const transceiver = this.pc.getTransceivers().find((candidate) => candidate.mid === mid);
      if (!transceiver)
        return {
          location: "local",
          mid,
          trackName,
          errorCode: MID_NOT_FOUND,
          errorDescription: `no m-line with mid ${mid} in the offer`,
        };
      const track = new PublishedTrack(
        this.id,
        trackName,
        mid,
        transceiver.kind as "audio" | "video",
        transceiver.receiver,
        performance.now(),
      );
      // A new offer may put another track on a mid that was published before: the old one ends.
      const previous = this.published.get(mid);
      if (previous) this.registry.remove(previous);
      this.registry.add(track);
      this.published.set(mid, track);
      for (const arrived of new Set([...(this.incoming.get(mid) ?? []), ...transceiver.receiver.tracks]))
        track.attach(arrived);
      return { location: "local", mid, trackName };
    });
    return { requiresImmediateRenegotiation: false, sessionDescription, tracks: results };
  }

  private async offerPulling(
    tracks: { sessionId: string; trackName: string; simulcast?: Simulcast | undefined }[],
  ): Promise<TracksAnswer> {
    if (this.pc.signalingState !== "stable")
      throw new ApiError("badState", "an SFU offer is waiting for its answer: PUT /renegotiate first");
    const added: { result: TrackResult; subscribe: () => Subscription }[] = [];
    const results: TrackResult[] = tracks.map(({ sessionId, trackName, simulcast }) => {
      const source = this.registry.find(sessionId, trackName);
      if (!source)
        return {
          location: "remote",
          sessionId,
          trackName,
          errorCode: TRACK_NOT_FOUND,
          errorDescription: `session ${sessionId} publishes no track named ${trackName}`,
        };
      const transceiver = this.pc.addTransceiver(source.kind, { direction: "sendonly" });
      transceiver.headerExtensions = bundleConsistentExtensions(
        this.pc.getTransceivers().flatMap((t) => (t === transceiver ? [] : [t.headerExtensions])),
        standinPeerConfig().headerExtensions?.[source.kind] ?? [],
      );
      const result: TrackResult = { location: "remote", sessionId, trackName, ...(simulcast && { simulcast }) };
      added.push({ result, subscribe: () => new Subscription(transceiver, source, simulcast) });
      return result;
    });
    if (added.length === 0) return { requiresImmediateRenegotiation: false, tracks: results };
    await this.pc.setLocalDescription(await this.pc.createOffer());
    for (const { result, subscribe } of added) {
      const subscription = subscribe();
      const mid = subscription.transceiver.mid ?? "";
      result.mid = mid;
      this.pulled.set(mid, subscription);
    }
    const sdp = this.pc.localDescription?.sdp ?? "";
    return { requiresImmediateRenegotiation: true, sessionDescription: { type: "offer", sdp }, tracks: results };
  }

  /** The endpoint's answer to the SFU's last offer. */
  async renegotiate(answer: SessionDescription): Promise<void> {
    if (answer.type !== "answer" || this.pc.signalingState !== "have-local-offer")
      throw new ApiError("badState", "renegotiate takes an answer to the SFU's pending offer, and there is none");
    await this.pc.setRemoteDescription(answer);
    for (const subscription of this.pulled.values()) subscription.source.requestKeyframe();
  }

  /** A new layer preference for pulled tracks, by their mid here; no renegotiation is needed. */
  updateTracks(body: UpdateTracksBody): TracksAnswer {
    const results: TrackResult[] = body.tracks.map(({ location, sessionId, trackName, mid, simulcast }) => {
      const subscription = this.pulled.get(mid);
      const source = subscription?.source;
      if (!subscription || source?.sessionId !== sessionId || source.trackName !== trackName)
        return {
          location,
          sessionId,
          trackName,
          mid,
          errorCode: MID_NOT_FOUND,
          errorDescription: `mid ${mid} does not pull ${trackName} of session ${sessionId} here`,
        };
      subscription.prefer(simulcast);
      return { location, sessionId, trackName, mid, simulcast };
    });
    return { requiresImmediateRenegotiation: false, tracks: results };
  }

  async closeTracks(mids: string[], offer: SessionDescription | undefined, force: boolean): Promise<TracksAnswer> {
    const ownSenders: Subscription[] = [];
    const results: TrackResult[] = mids.map((mid) => {
      const published = this.published.get(mid);
      if (published) {
        this.registry.remove(published);
        this.published.delete(mid);
        return { mid };
      }
      const subscription = this.pulled.get(mid);
      if (subscription) {
        subscription.end();
        this.pulled.delete(mid);
        ownSenders.push(subscription);
        return { mid };
      }
      return { mid, errorCode: MID_NOT_FOUND, errorDescription: `no open track with mid ${mid} in this session` };
    });
    if (offer)
      return { requiresImmediateRenegotiation: false, sessionDescription: await this.answer(offer), tracks: results };
    if (force || ownSenders.length === 0) return { requiresImmediateRenegotiation: false, tracks: results };
    // Without force the SFU tells the endpoint that its sending m-lines went inactive.
    for (const { transceiver } of ownSenders) transceiver.setDirection("inactive");
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const sdp = this.pc.localDescription?.sdp ?? "";
    return { requiresImmediateRenegotiation: true, sessionDescription: { type: "offer", sdp }, tracks: results };
  }

  /** GET /sessions/{id}: every track this session publishes or pulls, with its state (DataChannels: none, not imitated). */
  describe(): { tracks: TrackResult[]; dataChannels: never[] } {
    const local: TrackResult[] = [...this.published.values()].map((track) => ({
      location: "local",
      mid: track.mid,
      trackName: track.trackName,
      status: track.closed ? "inactive" : "active",
    }));
    const remote: TrackResult[] = [...this.pulled.entries()].map(([mid, subscription]) => ({
      location: "remote",
      mid,
      sessionId: subscription.source.sessionId,
      trackName: subscription.source.trackName,
      status: subscription.source.closed ? "inactive" : "active",
    }));
    return { tracks: [...local, ...remote], dataChannels: [] };
  }

  async close(): Promise<void> {
    for (const track of this.published.values()) this.registry.remove(track);
    for (const subscription of this.pulled.values()) subscription.end();
    await this.pc.close();
  }
}
