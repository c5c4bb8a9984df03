/**
 * The one definition of every message between a browser and a room.
 *
 * The Room Durable Object validates every incoming frame with these schemas and the
 * frontend imports the same types, so the two sides cannot drift apart. This module
 * must stay free of both DOM and Workers globals: it is compiled in both worlds.
 */
import * as v from "valibot";
import { findNameProblem } from "./display-name-rules";
import { E2eeSignal } from "./e2ee-signal";

/** A frame larger than this closes the socket with 1009 ("message too big"). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const MAX_DISPLAY_NAME_LENGTH = 64;
export const MAX_SDP_LENGTH = 60 * 1024;
export const MAX_CANDIDATE_LENGTH = 1024;

/** Pass phrases: long enough to mean something, short enough to bound hashing work. */
export const MIN_KEY_LENGTH = 4;
export const MAX_KEY_LENGTH = 256;

const PeerId = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, "must be a peer id"));

/**
 * Display names are trimmed, non-empty, free of control characters, and cannot deceive: no
 * invisible or direction-changing characters, nothing the interface appends (display-name-rules.ts).
 */
export const DisplayName = v.pipe(
  v.string("must be a string"),
  v.trim(),
  v.minLength(1, "must not be empty"),
  v.maxLength(MAX_DISPLAY_NAME_LENGTH, `must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`),
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  v.regex(/^[^\u0000-\u001f\u007f-\u009f]*$/u, "must not contain control characters"),
  // The room words the problem (describeIssue); a browser only needs to know that there is one,
  // so the words stay out of its bundle.
  v.rawCheck(({ dataset, addIssue }) => {
    if (dataset.typed && findNameProblem(dataset.value)) addIssue();
  }),
);

/**
 * A name as the room relays it. The room checked it with DisplayName when it came in; a browser
 * does not check it again, since a browser whose Unicode tables are older than the room's (a new
 * emoji) would otherwise drop whole welcomes. Views isolate names wherever they show them.
 */
const RelayedName = v.pipe(v.string(), v.maxLength(MAX_DISPLAY_NAME_LENGTH));

const SessionDescription = v.strictObject({
  type: v.picklist(["offer", "answer", "pranswer", "rollback"]),
  sdp: v.optional(v.pipe(v.string(), v.maxLength(MAX_SDP_LENGTH))),
});

const IceCandidate = v.strictObject({
  candidate: v.pipe(v.string(), v.maxLength(MAX_CANDIDATE_LENGTH)),
  sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  sdpMLineIndex: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1024)))),
  usernameFragment: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256)))),
});

/**
 * What peers exchange to set up WebRTC. The room relays it verbatim to one peer; it
 * is still validated so that the room never forwards arbitrary blobs for someone.
 */
export const SignalData = v.union([
  v.strictObject({ description: SessionDescription }),
  v.strictObject({ candidate: v.nullable(IceCandidate) }),
  /**
   * SFU mode's end-to-end messages to one member (common/e2ee-signal.ts): identity keys, wrapped
   * sender keys, safety-code frames and sealed chat. Opaque to the room, which checks their
   * shape and size and relays them like any signal; a mesh connection ignores them.
   */
  v.strictObject({ e2ee: E2eeSignal }),
]);

/** What a peer says about its own media, so the others can show badges without guessing from tracks. */
const MediaState = {
  audio: v.optional(v.boolean()),
  video: v.optional(v.boolean()),
  screen: v.optional(v.boolean()),
};

/**
 * The reactions anyone can send: a fixed list, so that a reaction can never carry text (or
 * anything else the room would relay for someone). The order is the order of the buttons.
 */
export const REACTIONS = ["👍", "👏", "😂", "❤️", "🎉", "😮"] as const;
const Reaction = v.picklist(REACTIONS, "must be one of the offered reactions");

/**
 * A peer as the others see it; the media fields appear once the peer has sent `state`. `hand`
 * is there while the hand is raised: the room's order number for it (smaller went up first).
 */
export const PeerInfo = v.strictObject({
  id: PeerId,
  name: RelayedName,
  ...MediaState,
  hand: v.optional(v.number()),
});

/** A room key (pass phrase). Its text is never stored, logged, echoed or relayed. */
const RoomKey = v.pipe(
  v.string("must be a string"),
  v.minLength(MIN_KEY_LENGTH, `must be at least ${MIN_KEY_LENGTH} characters`),
  v.maxLength(MAX_KEY_LENGTH, `must be at most ${MAX_KEY_LENGTH} characters`),
);

/** One ICE server, as RTCPeerConnection takes it. */
export const IceServer = v.strictObject({
  urls: v.array(v.string()),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

/** What an admitted peer needs to connect; TURN credentials expire at `expiresAt` (ms since epoch). */
export const IceConfig = v.strictObject({
  iceServers: v.array(IceServer),
  iceTransportPolicy: v.picklist(["all", "relay"]),
  expiresAt: v.nullable(v.number()),
});

/** Proof that a reconnecting socket is the peer `id` (from its welcome), so it keeps its identity. */
const Resume = v.strictObject({
  id: PeerId,
  token: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a resume token")),
});

/**
 * Who locked the room, as everyone inside sees it: the name, and the peer id that tells apart two
 * people with that name (null for a lock stored before rooms kept it).
 */
export const LockInfo = v.strictObject({ by: RelayedName, byId: v.nullable(PeerId) });

/**
 * SFU mode (Cloudflare Realtime; not used by calls yet). Browsers name their own tracks and the
 * transceivers' mids; the room alone talks to the SFU (its app secret never reaches a browser),
 * and members name each other by peer id, never by SFU session id.
 */
export const MAX_SFU_TRACKS_PER_MESSAGE = 8;
const SfuTrackName = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a track name (1-64 of A-Z a-z 0-9 _ -)"),
);
const SfuMid = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,32}$/, "must be a mid (1-32 of A-Z a-z 0-9 _ -)"));
const Sdp = v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(MAX_SDP_LENGTH));
/** A simulcast layer, by the RID its publisher gave it (e.g. f, h, q). */
const SfuLayer = v.pipe(v.string(), v.regex(/^[A-Za-z0-9]{1,16}$/, "must be a simulcast RID (1-16 of A-Z a-z 0-9)"));
const sfuList = <T extends v.GenericSchema>(item: T) =>
  v.pipe(v.array(item), v.minLength(1, "must not be empty"), v.maxLength(MAX_SFU_TRACKS_PER_MESSAGE));
const SfuLocalTrack = v.strictObject({ mid: SfuMid, trackName: SfuTrackName });

// ---- client → room --------------------------------------------------------------

export const ClientMessage = v.variant("type", [
  /** The handshake: the first message. `key` is needed only when the room is locked. */
  v.strictObject({ type: v.literal("join"), name: DisplayName, key: v.optional(RoomKey), resume: v.optional(Resume) }),
  /** A change of display name or media (muted, camera off, sharing): relayed to everyone as `peer-state`. */
  v.strictObject({ type: v.literal("state"), name: v.optional(DisplayName), ...MediaState }),
  /** Asks for fresh ICE credentials before the current ones expire. */
  v.strictObject({ type: v.literal("refresh-ice") }),
  v.strictObject({ type: v.literal("signal"), to: PeerId, data: SignalData }),
  v.strictObject({ type: v.literal("lock"), key: RoomKey }),
  v.strictObject({ type: v.literal("unlock") }),
  /** Asks the members of a locked room to let this socket in without the key. */
  v.strictObject({ type: v.literal("knock"), name: DisplayName }),
  v.strictObject({ type: v.literal("admit"), id: PeerId }),
  v.strictObject({ type: v.literal("deny"), id: PeerId }),
  v.strictObject({ type: v.literal("kick"), id: PeerId }),
  /** Raises our own hand: it joins the end of the queue (peer-state tells everyone). */
  v.strictObject({ type: v.literal("raise-hand") }),
  /** Lowers a raised hand: ours without `id`, or anyone's (after they have spoken). */
  v.strictObject({ type: v.literal("lower-hand"), id: v.optional(PeerId) }),
  /** A reaction, relayed to everyone as `reaction` and never stored. */
  v.strictObject({ type: v.literal("react"), emoji: Reaction }),
  /** SFU: publish our tracks (each transceiver's mid, and the name we give its track) with our offer. */
  v.strictObject({ type: v.literal("sfu-publish"), offer: Sdp, tracks: sfuList(SfuLocalTrack) }),
  /** SFU: pull tracks that member `from` publishes; the answer to the SFU's offer goes back as sfu-renegotiate. */
  v.strictObject({ type: v.literal("sfu-pull"), from: PeerId, tracks: sfuList(SfuTrackName) }),
  v.strictObject({ type: v.literal("sfu-renegotiate"), answer: Sdp }),
  /** SFU: stop publishing or pulling these mids; with our offer the SFU answers it, without it closes them at once. */
  v.strictObject({ type: v.literal("sfu-close"), mids: sfuList(SfuMid), offer: v.optional(Sdp) }),
  /**
   * SFU: receive simulcast layer `layer` of the track we pull on `mid` (a tile grew or shrank); no
   * renegotiation. While the publisher does not send that layer the SFU sends the next lower one.
   */
  v.strictObject({ type: v.literal("sfu-layer"), mid: SfuMid, layer: SfuLayer }),
]);

// ---- room → client --------------------------------------------------------------

/**
 * The error codes only an sfu-* message can earn, in answer to it (the browser's SFU requests
 * take any of them as the answer to the request that is out).
 */
export const SFU_ERROR_CODES = [
  /** An sfu-* message to a room that has no SFU configured: calls stay peer to peer. */
  "sfu-unavailable",
  /** The SFU refused or could not be reached; the message says what it answered. */
  "sfu-failed",
  /** One SFU request at a time per member: the previous one has not been answered yet. */
  "sfu-busy",
  /** sfu-renegotiate or sfu-close before this member published or pulled anything. */
  "sfu-no-session",
  /** sfu-pull of a track the member does not publish, or sfu-close of a mid we do not hold. */
  "unknown-track",
  /** More SFU tracks than a member may publish, or a track name or mid used twice. */
  "too-many-tracks",
] as const;

export const ErrorCode = v.picklist([
  "bad-json",
  "bad-message",
  "unknown-type",
  "not-joined",
  "already-joined",
  "unknown-peer",
  "unknown-knock",
  "not-locked",
  "binary-unsupported",
  "rate-limited",
  /** lock/unlock again too soon after this socket's last one. */
  "lock-cooldown",
  /** The room is busy hashing keys; try again in a moment. */
  "busy",
  /** raise-hand while our hand is already up: it keeps its place. */
  "hand-already-raised",
  /** lower-hand for a hand that is not raised (perhaps someone lowered it a moment ago). */
  "hand-not-raised",
  /** Reactions beyond the per-person allowance are dropped, not relayed. */
  "too-many-reactions",
  ...SFU_ERROR_CODES,
]);

/**
 * Why a socket is not (yet) let in. `locked` is all an outsider learns about a locked
 * room: no names, no count, no signals.
 */
export const DeniedReason = v.picklist([
  "locked",
  "full",
  "wrong-key",
  "throttled",
  "knock-declined",
  "knock-lapsed",
  "too-many-knocks",
]);

/** How a knock ended, as the members see it (so every member's prompt goes away). */
export const KnockOutcome = v.picklist(["admitted", "declined", "lapsed", "withdrawn", "full"]);

/** How a call's media travels: browser to browser, or through the SFU (the room decides, for everyone). */
export const CallMode = v.picklist(["mesh", "sfu"]);

export const ServerMessage = v.variant("type", [
  v.strictObject({
    type: v.literal("welcome"),
    id: PeerId,
    peers: v.array(PeerInfo),
    lock: v.nullable(LockInfo),
    ice: IceConfig,
    /** Lets this peer reconnect as itself after a dropped socket (join{resume}). */
    resumeToken: v.string(),
    /** Our own raised hand's order number, when a resume kept it up. */
    hand: v.optional(v.number()),
    /** The call's mode, counting us; only from a room with SFU mode configured (otherwise always mesh). */
    mode: v.optional(CallMode),
  }),
  v.strictObject({ type: v.literal("ice"), ice: IceConfig }),
  v.strictObject({
    type: v.literal("denied"),
    reason: DeniedReason,
    /** With `throttled`: how long until the next try is allowed. */
    retryAfterMs: v.optional(v.number()),
    /** With `wrong-key`: tries left before waits start. */
    triesLeft: v.optional(v.number()),
  }),
  /** To a knocker: the members were asked. */
  v.strictObject({ type: v.literal("knock-sent") }),
  /** `byId` is the peer who did it: names are not unique, so clients resolve it against who is in the call. */
  v.strictObject({ type: v.literal("locked"), by: RelayedName, byId: PeerId }),
  v.strictObject({ type: v.literal("unlocked"), by: RelayedName, byId: PeerId }),
  /** `nameInUse`: the knocker's name looks like the name of someone inside (or of another knocker). */
  v.strictObject({
    type: v.literal("knocking"),
    id: PeerId,
    name: RelayedName,
    nameInUse: v.optional(v.literal(true)),
  }),
  v.strictObject({ type: v.literal("knock-ended"), id: PeerId, outcome: KnockOutcome }),
  /** Someone outside tried a wrong key; members are told, never affected. */
  v.strictObject({ type: v.literal("key-guessed"), failures: v.number() }),
  /** To a removed peer, just before its socket closes with CloseCode.removed. */
  v.strictObject({ type: v.literal("removed"), by: RelayedName, byId: PeerId }),
  v.strictObject({ type: v.literal("peer-joined"), peer: PeerInfo }),
  v.strictObject({ type: v.literal("peer-left"), id: PeerId }),
  v.strictObject({ type: v.literal("peer-state"), peer: PeerInfo }),
  v.strictObject({ type: v.literal("signal"), from: PeerId, data: SignalData }),
  /** Someone reacted (the sender too hears it: the room's word that it went out). */
  v.strictObject({ type: v.literal("reaction"), from: PeerId, emoji: Reaction }),
  /** SFU: the SFU's answer to our sfu-publish offer. */
  v.strictObject({ type: v.literal("sfu-published"), answer: Sdp, tracks: v.array(SfuLocalTrack) }),
  /** SFU: the SFU's offer for the tracks we pulled, with the mid each arrives on. */
  v.strictObject({
    type: v.literal("sfu-pulled"),
    /** Absent when the SFU needed no renegotiation: the tracks arrive with the next one. */
    offer: v.optional(Sdp),
    tracks: v.array(v.strictObject({ from: PeerId, trackName: SfuTrackName, mid: SfuMid })),
  }),
  v.strictObject({ type: v.literal("sfu-renegotiated") }),
  /** SFU: these mids are closed; `answer` answers the offer sfu-close carried. */
  v.strictObject({ type: v.literal("sfu-closed"), mids: v.array(SfuMid), answer: v.optional(Sdp) }),
  /** SFU: the track we pull on `mid` now comes in layer `layer` (the answer to sfu-layer). */
  v.strictObject({ type: v.literal("sfu-layer-set"), mid: SfuMid, layer: SfuLayer }),
  /** SFU: every track member `id` publishes now (to members only; empty once it publishes none). */
  v.strictObject({ type: v.literal("sfu-tracks"), id: PeerId, tracks: v.array(SfuTrackName) }),
  /** The call's mode changed (members only; never from a room without SFU mode configured). */
  v.strictObject({ type: v.literal("call-mode"), mode: CallMode }),
  v.strictObject({ type: v.literal("error"), code: ErrorCode, message: v.string() }),
]);

export type PeerInfo = v.InferOutput<typeof PeerInfo>;
export type SignalData = v.InferOutput<typeof SignalData>;
export type ClientMessage = v.InferOutput<typeof ClientMessage>;
export type ServerMessage = v.InferOutput<typeof ServerMessage>;
export type ErrorCode = v.InferOutput<typeof ErrorCode>;
export type DeniedReason = v.InferOutput<typeof DeniedReason>;
export type KnockOutcome = v.InferOutput<typeof KnockOutcome>;
export type CallMode = v.InferOutput<typeof CallMode>;
export type Reaction = v.InferOutput<typeof Reaction>;
export type LockInfo = v.InferOutput<typeof LockInfo>;
export type IceServer = v.InferOutput<typeof IceServer>;
export type IceConfig = v.InferOutput<typeof IceConfig>;
