/**
 * The shapes of Cloudflare Realtime's SFU HTTP API (the "Connection API",
 * https://developers.cloudflare.com/realtime/sfu/api/, OpenAPI schema calls-api-2024-05-21.yaml),
 * as valibot schemas: what the room sends, and what it accepts back. Answers are checked before
 * anything reads them, so an SFU (or anything pretending to be one) that answers something else
 * is an error with a reason, never a crash or a field passed on unchecked. Unknown fields are
 * ignored, as a JSON API's client should. The local stand-in's contract tests pin the same
 * shapes from its side (edge code may not import the stand-in).
 */
import * as v from "valibot";

const SessionDescription = v.object({ type: v.picklist(["offer", "answer"]), sdp: v.string() });
export type SessionDescription = v.InferOutput<typeof SessionDescription>;

/** Requests (documented bodies; the room builds them, the types keep them right). */
export type NewTracksRequest = {
  sessionDescription?: SessionDescription;
  tracks: (
    | { location: "local"; mid: string; trackName: string }
    | { location: "remote"; sessionId: string; trackName: string }
  )[];
};
/**
 * PUT tracks/update: a pulled track's simulcast preference, by its mid in the receiving session
 * (simulcast page, "Change the received layer"; OpenAPI example "reuse_with_simulcast").
 */
export type UpdateTracksRequest = {
  tracks: {
    location: "remote";
    sessionId: string;
    trackName: string;
    mid: string;
    simulcast: {
      preferredRid: string;
      priorityOrdering: "none" | "asciibetical";
      ridNotAvailable: "none" | "asciibetical";
    };
  }[];
};
export type RenegotiateRequest = { sessionDescription: SessionDescription };
export type CloseTracksRequest = { sessionDescription?: SessionDescription; tracks: { mid: string }[]; force: boolean };

/** Every failure: `{errorCode, errorDescription}` (error-codes page, "Read the response"). */
export const ErrorBody = v.object({ errorCode: v.string(), errorDescription: v.optional(v.string()) });

/** POST sessions/new → 201 `{sessionId, sessionDescription?}`. */
export const NewSessionResponse = v.object({
  sessionId: v.pipe(v.string(), v.minLength(1)),
  sessionDescription: v.optional(SessionDescription),
});

/** One entry of a `tracks` answer; a failed track carries errorCode/errorDescription inside a 200. */
export const TrackResult = v.object({
  location: v.optional(v.picklist(["local", "remote"])),
  mid: v.optional(v.string()),
  sessionId: v.optional(v.string()),
  trackName: v.optional(v.string()),
  errorCode: v.optional(v.string()),
  errorDescription: v.optional(v.string()),
});
export type TrackResult = v.InferOutput<typeof TrackResult>;

/** POST sessions/{id}/tracks/new and PUT sessions/{id}/tracks/close. */
export const TracksResponse = v.object({
  requiresImmediateRenegotiation: v.optional(v.boolean(), false),
  sessionDescription: v.optional(SessionDescription),
  tracks: v.optional(v.array(TrackResult), []),
});
export type TracksResponse = v.InferOutput<typeof TracksResponse>;

/** PUT sessions/{id}/renegotiate → 200 with an empty object (or no body at all). */
export const RenegotiateResponse = v.nullable(v.object({}));
