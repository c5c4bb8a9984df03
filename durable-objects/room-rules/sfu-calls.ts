/**
 * SFU mode's vocabulary for the rules (Cloudflare Realtime; not used by calls yet): what the
 * room keeps per member who has an SFU session, the requests the rules ask the shell to make
 * (plain data, carried out by durable-objects/sfu-io.ts), and what came back.
 *
 * Members never see SFU session ids: they name each other by peer id, and the room maps.
 */

/** A track a member publishes: its transceiver's mid, and the name it gave the track. */
export interface SfuTrack {
  mid: string;
  trackName: string;
}

/** A track a member pulls: the mid it arrives on, and whose track it is. */
export interface PulledTrack {
  mid: string;
  from: string;
  trackName: string;
}

/** Stored per member (StorageKey.sfu + peer id) while the member has an SFU session. */
export interface SfuRecord {
  sessionId: string;
  published: SfuTrack[];
  pulled: PulledTrack[];
}

/** One request to the SFU on a member's behalf. `sessionId` null: the shell makes the session first. */
export type SfuCall =
  | { op: "publish"; member: string; sessionId: string | null; offer: string; tracks: SfuTrack[] }
  | {
      op: "pull";
      member: string;
      sessionId: string | null;
      tracks: { from: string; sessionId: string; trackName: string }[];
    }
  | { op: "renegotiate"; member: string; sessionId: string; answer: string }
  | { op: "close"; member: string; sessionId: string; mids: string[]; offer: string | null }
  /** A pulled track's simulcast layer: the publisher's session and track name, as the SFU names them. */
  | { op: "layer"; member: string; sessionId: string; mid: string; from: string; trackName: string; layer: string }
  /** The room ends a departed member's session: every track it holds, closed at once. */
  | { op: "end"; member: string; sessionId: string; mids: string[] };

/** One track as the SFU answered for it; a failed one has an error and no mid. */
export interface SfuTrackOutcome {
  mid?: string;
  trackName?: string;
  sessionId?: string;
  error?: string;
}

/**
 * What a call came to. `sessionId` is the session the call used, or made (a failure after the
 * session was made still names it, so the room can keep or end it); `sdp` is the SFU's answer
 * or offer, when it sent one.
 */
export type SfuOutcome =
  | { ok: true; sessionId: string; sdp: string | null; tracks: SfuTrackOutcome[] }
  | { ok: false; sessionId: string | null; reason: string };

/** Every mid a member's session holds, published or pulled. */
export function midsOf(record: SfuRecord): string[] {
  return [...record.published.map((t) => t.mid), ...record.pulled.map((t) => t.mid)];
}
