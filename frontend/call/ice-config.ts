/**
 * The ICE servers of a call (ice-config): which ones to use, and when to ask the room for fresh
 * TURN credentials (`refresh-ice`) before the current ones expire.
 *
 * An expired credential does not end a running relayed call at once, but the TURN server refuses
 * to refresh the allocation and the next ICE restart (after a network change, exactly when the
 * relay is needed) cannot get one. So the new credentials must be in every RTCPeerConnection
 * (setConfiguration) well before `expiresAt`.
 */
import type { IceConfig } from "../../common/protocol";
import { Scope } from "./scope";

/** Ask no later than this before expiry: time for a reconnect or two if the socket is down just then. */
export const REFRESH_MARGIN_MS = 60_000;
/** Otherwise at this fraction of the time left, so a short TTL still leaves most of its life unused. */
export const REFRESH_AT_FRACTION = 0.8;
/** Never sooner than this, so a clock that disagrees with the room's cannot make us ask in a tight loop. */
export const MIN_REFRESH_DELAY_MS = 5_000;
/** setTimeout fires at once for delays past 2^31 − 1 ms (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds from `now` until `refresh-ice`, or null when the credentials never expire (STUN only). */
export function iceRefreshDelay(expiresAt: number | null, now: number): number | null {
  if (expiresAt === null) return null;
  const left = expiresAt - now;
  const delay = Math.min(left * REFRESH_AT_FRACTION, left - REFRESH_MARGIN_MS);
  return Math.min(MAX_TIMER_MS, Math.max(MIN_REFRESH_DELAY_MS, Math.floor(delay)));
}

export interface IceConfigDeps {
  /** Fixed servers from the call's options (tests, local setups): they win over the room's. */
  override?: RTCIceServer[];
  now(): number;
  /** Asks the room for fresh credentials. */
  refresh(): void;
}

/** The STUN/TURN servers the room hands members (only members: TURN relays cost money), kept fresh. */
export class IceServers {
  readonly #deps: IceConfigDeps;
  readonly #scope = new Scope();
  #config: IceConfig | null = null;
  #cancelRefresh: (() => void) | null = null;

  constructor(deps: IceConfigDeps) {
    this.#deps = deps;
  }

  /** What a new connection should use; undefined until the room has said (the connection's defaults). */
  get servers(): RTCIceServer[] | undefined {
    return this.#deps.override ?? this.#config?.iceServers;
  }

  get transportPolicy(): RTCIceTransportPolicy | undefined {
    return this.#config?.iceTransportPolicy;
  }

  /**
   * Servers from a welcome or a refresh; schedules the next refresh before they expire. Returns
   * the servers every running connection should switch to, or null when the options fix them.
   */
  use(config: IceConfig): RTCIceServer[] | null {
    this.#config = config;
    this.#cancelRefresh?.();
    this.#cancelRefresh = null;
    const delay = iceRefreshDelay(config.expiresAt, this.#deps.now());
    if (delay !== null) this.#cancelRefresh = this.#scope.later(delay, () => this.#deps.refresh());
    return this.#deps.override ? null : config.iceServers;
  }

  dispose(): void {
    this.#scope.dispose();
  }
}
