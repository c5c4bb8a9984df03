/**
 * Request bodies of the Realtime SFU HTTP API, as valibot schemas, and the answers' types.
 * Shapes from Cloudflare's OpenAPI schema (https://developers.cloudflare.com/realtime/static/calls-api-2024-05-21.yaml,
 * linked from https://developers.cloudflare.com/realtime/sfu/api/ "Connection API") and the fields
 * cloudflare/orange sends. Unknown fields are ignored, as a JSON API does.
 */
import * as v from "valibot";
import { Simulcast } from "./simulcast";

export const MAX_TRACKS_PER_CALL = 64;

const SessionDescription = v.object({
  type: v.picklist(["offer", "answer"]),
  sdp: v.pipe(v.string(), v.minLength(1)),
});
export type SessionDescription = v.InferOutput<typeof SessionDescription>;

const LocalTrack = v.object({
  location: v.literal("local"),
  mid: v.pipe(v.string(), v.minLength(1)),
  trackName: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
});
const RemoteTrack = v.object({
  location: v.literal("remote"),
  sessionId: v.pipe(v.string(), v.minLength(1)),
  trackName: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  // Which layer of a simulcast track to receive (simulcast page, "Subscribe to a simulcast track").
  simulcast: v.optional(Simulcast),
});

export const NewSessionBody = v.optional(v.object({ sessionDescription: v.optional(SessionDescription) }), {});

export const NewTracksBody = v.object({
  sessionDescription: v.optional(SessionDescription),
  // "Up to 64 tracks can be added with a single API call" (limits page, "Limits").
  tracks: v.pipe(
    v.array(v.variant("location", [LocalTrack, RemoteTrack])),
    v.minLength(1),
    v.maxLength(MAX_TRACKS_PER_CALL),
  ),
});
export type NewTracksBody = v.InferOutput<typeof NewTracksBody>;

/**
 * PUT tracks/update: a pulled track's new layer preference, found by the receiving mid (simulcast
 * page, "Change the received layer"; OpenAPI `UpdateTracksRequest`, example "reuse_with_simulcast").
 */
export const UpdateTracksBody = v.object({
  tracks: v.pipe(
    v.array(
      v.object({
        location: v.literal("remote"),
        sessionId: v.pipe(v.string(), v.minLength(1)),
        trackName: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
        mid: v.pipe(v.string(), v.minLength(1)),
        simulcast: Simulcast,
      }),
    ),
    v.minLength(1),
    v.maxLength(MAX_TRACKS_PER_CALL),
  ),
});
export type UpdateTracksBody = v.InferOutput<typeof UpdateTracksBody>;

export const RenegotiateBody = v.object({ sessionDescription: SessionDescription });

export const CloseTracksBody = v.object({
  sessionDescription: v.optional(SessionDescription),
  tracks: v.pipe(
    v.array(v.object({ mid: v.pipe(v.string(), v.minLength(1)) })),
    v.minLength(1),
    v.maxLength(MAX_TRACKS_PER_CALL),
  ),
  force: v.optional(v.boolean(), false),
});

/** One entry of a `tracks` answer; failures carry errorCode/errorDescription and no HTTP status of their own. */
export interface TrackResult {
  location?: "local" | "remote";
  mid?: string;
  sessionId?: string;
  trackName?: string;
  status?: "active" | "inactive";
  simulcast?: Simulcast;
  errorCode?: string;
  errorDescription?: string;
}

export interface TracksAnswer {
  requiresImmediateRenegotiation: boolean;
  sessionDescription?: SessionDescription;
  tracks: TrackResult[];
}

/** Valibot's first issue as one readable line, for `errorDescription`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return "JSON body validation error";
  const path = first.path?.map((item) => String(item.key)).join(".") ?? "";
  return `JSON body validation error: ${path ? `${path}: ` : ""}${first.message}`;
}
