/**
 * The heartbeat both sides keep on a room's socket: the frames, how often a browser sends one, and
 * how soon the room gives up on a silent peer. Apart from the message schemas (protocol.ts) because
 * it is about whether a socket is alive, not what travels on it; compiled in both worlds like them.
 */

/** The heartbeat the room answers without waking up (setWebSocketAutoResponse). */
export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';

/**
 * How often clients send PING. The room drops a peer whose last heartbeat is older than
 * HEARTBEAT_TIMEOUT_MS, checked every LIVENESS_CHECK_MS, so a vanished tab is gone from
 * everyone's grid within 30 s.
 */
export const HEARTBEAT_INTERVAL_MS = 8_000;
export const HEARTBEAT_TIMEOUT_MS = 20_000;
export const LIVENESS_CHECK_MS = 10_000;
