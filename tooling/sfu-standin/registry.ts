/**
 * Every live published track of one stand-in, by publisher session and track name, and the sweep
 * that drops tracks without media: "Tracks will automatically timeout and be garbage collected after
 * 30 seconds of inactivity, where inactivity is defined as no media packets being received by
 * Cloudflare" (limits page, "Inactivity Timeout"). The 30 s is a parameter so tests can shorten it.
 */
import type { PublishedTrack } from "./published-track";

export const TRACK_TIMEOUT_MS = 30_000;

const key = (sessionId: string, trackName: string) => `${sessionId}\n${trackName}`;

export class TrackRegistry {
  private readonly tracks = new Map<string, PublishedTrack>();

  constructor(readonly trackTimeoutMs = TRACK_TIMEOUT_MS) {}

  find(sessionId: string, trackName: string): PublishedTrack | undefined {
    return this.tracks.get(key(sessionId, trackName));
  }

  /** Publishing a name again replaces the old track, as re-publishing after a reconnect does. */
  add(track: PublishedTrack): void {
    this.find(track.sessionId, track.trackName)?.close();
    this.tracks.set(key(track.sessionId, track.trackName), track);
  }

  remove(track: PublishedTrack): void {
    track.close();
    if (this.tracks.get(key(track.sessionId, track.trackName)) === track)
      this.tracks.delete(key(track.sessionId, track.trackName));
  }

  /** Drops every track that has had no media for the timeout; returns them. */
  sweep(now: number): PublishedTrack[] {
    const expired = [...this.tracks.values()].filter((track) => now - track.lastMediaAt >= this.trackTimeoutMs);
    for (const track of expired) this.remove(track);
    return expired;
  }
}
