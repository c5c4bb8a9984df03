/**
 * Every number the room's rules run on, in one place: how long things last (grace, knocks,
 * the empty room) and what one socket or one client may make the room do. Each limit is
 * sized so that honest use never meets it: people lock a room once, knock once, and toggle
 * their camera a few times a minute. Buckets reuse message-budget.ts.
 */
import type { BudgetConfig, BudgetState } from "./message-budget";

/** Most people in one call unless MAX_PEERS says otherwise: a full mesh's upload grows with every peer. */
export const DEFAULT_MAX_PEERS = 8;
/** How long a peer whose socket dropped keeps its place, unseen by the others, to resume. */
export const RESUME_GRACE_MS = 20_000;
/** An empty room forgets everything (lock, guess counts, secrets) after this long. */
export const EMPTY_ROOM_PURGE_MS = 10 * 60 * 1000;
/** A knock nobody answers lapses after this long. */
export const KNOCK_LAPSE_MS = 2 * 60 * 1000;
/** Knocks pending at once in one room. */
export const MAX_PENDING_KNOCKS = 5;
/** Clients whose knock was declined that the room remembers; a hold is a courtesy limit on top of the others. */
export const MAX_KNOCK_HOLDS = 100;

/** One socket may lock or unlock once per this long: enough to fix a typo, too slow to stall the room. */
export const LOCK_COOLDOWN_MS = 2_000;

/**
 * PBKDF2 hashes a room computes (locks and key guesses together). A hash costs tens of
 * milliseconds of the object's only thread, which every signal waits behind. Eight at once
 * covers a whole call locking, or someone's five typo'd keys, in one go; two a second after
 * that keep signaling moving however many sockets ask.
 */
export const HASH_BUDGET: BudgetConfig = { burst: 8, perSecond: 2, overflowLimit: Number.POSITIVE_INFINITY };

/**
 * Knocks a room passes on to its members (each is a prompt on every screen): five at once,
 * then one every six seconds, whoever knocks.
 */
export const KNOCK_BUDGET: BudgetConfig = { burst: 5, perSecond: 1 / 6, overflowLimit: Number.POSITIVE_INFINITY };
/** A pending knock may be renewed (new name, fresh wait) no sooner than this after the last. */
export const KNOCK_RENEW_MS = 10_000;
/** After a member declines a knock, that socket and that client may not knock again for this long. */
export const KNOCK_HOLD_MS = 60_000;
/** Pending knocks one client may have at once (people behind one address do not all knock at once). */
export const MAX_KNOCKS_PER_CLIENT = 2;
/** How long to come back after a knock refused because too many are pending: no count, just "later". */
export const KNOCK_RETRY_MS = 10_000;

/**
 * `state` (name and media changes) is rebroadcast to everyone, so it gets its own small
 * bucket on top of the socket's general one: a few toggles at once, two a second after.
 */
export const STATE_BUDGET: BudgetConfig = { burst: 10, perSecond: 2, overflowLimit: Number.POSITIVE_INFINITY };

/**
 * Reactions float over a tile on every screen, so each socket gets a small bucket of its own:
 * a handful at once (an enthusiastic burst), then one a second. Beyond it they are dropped.
 */
export const REACTION_BUDGET: BudgetConfig = { burst: 5, perSecond: 1, overflowLimit: Number.POSITIVE_INFINITY };

/** How long until `state` holds a whole token again (0 if it does now). */
export function msUntilToken(state: BudgetState, config: BudgetConfig, now: number): number {
  const tokens = Math.min(config.burst, state.tokens + (Math.max(0, now - state.at) / 1000) * config.perSecond);
  return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / config.perSecond) * 1000);
}

/**
 * A socket at the door (not in the call, not knocking) is closed with CloseCode.idle this
 * long after it opened or its knock ended. The page reopens it when the person acts (Join,
 * a key, a knock), so honest sockets lose nothing, and idle ones cannot pile up.
 */
export const DOOR_IDLE_MS = 10_000;
/** Sockets at the door a room keeps; a new one beyond this closes the oldest. */
export const MAX_DOOR_SOCKETS = 12;
/** Sockets at the door one client keeps; a new one beyond this closes that client's oldest. */
export const MAX_DOOR_SOCKETS_PER_CLIENT = 3;

/** SFU mode: tracks one member may publish at once (camera, microphone, screen and its sound, with room to spare). */
export const MAX_SFU_PUBLISHED_TRACKS = 8;
/** SFU mode: SFU_MAX_PEERS may not go beyond this; MAX_SFU_PULLED_TRACKS is sized for it. */
export const SFU_PEERS_LIMIT = 50;
/** SFU mode: tracks one member may pull at once (everyone else's, in the largest call). */
export const MAX_SFU_PULLED_TRACKS = 4 * (SFU_PEERS_LIMIT - 1);
/** SFU mode: a request still unanswered after this long no longer holds back the member's next one. */
export const SFU_REQUEST_HOLD_MS = 15_000;

/** SFU mode: calls of up to this many people stay peer to peer unless SFU_THRESHOLD says otherwise. */
export const DEFAULT_SFU_THRESHOLD = 4;
/** SFU mode: most people in one call through the SFU unless SFU_MAX_PEERS says otherwise. */
export const DEFAULT_SFU_MAX_PEERS = 50;
/**
 * SFU mode: a call that has become small enough for mesh again goes back only after this long
 * (Jitsi's back-to-P2P delay), so a call hovering around the threshold does not flap.
 */
export const CALL_MODE_HOLD_MS = 5_000;
