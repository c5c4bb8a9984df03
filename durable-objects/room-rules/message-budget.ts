/**
 * Per-socket flood control: a token bucket. Honest peers send bursts (a join fans out
 * a few dozen ICE candidates per peer) and then little; a flooder sends steadily. A
 * message beyond the bucket is refused with an error, and refusals pile up in an
 * overflow counter that drains slowly, so only sustained abuse reaches the point where
 * the socket is closed (1008). The state is plain data; the room writes it into the
 * socket's attachment whenever it refuses, so an exhausted bucket survives hibernation.
 */

export interface BudgetConfig {
  /** Messages a socket may send at once. */
  burst: number;
  /** Messages per second the bucket refills. */
  perSecond: number;
  /** Refusals (draining one per second) after which the socket is closed. */
  overflowLimit: number;
}

export const DEFAULT_BUDGET: BudgetConfig = { burst: 200, perSecond: 100, overflowLimit: 100 };

export interface BudgetState {
  tokens: number;
  overflow: number;
  /** When the state was last brought up to date (ms since epoch). */
  at: number;
}

export type Verdict = "ok" | "refused" | "close";

export function freshBudget(config: BudgetConfig, now: number): BudgetState {
  return { tokens: config.burst, overflow: 0, at: now };
}

export function spend(state: BudgetState, config: BudgetConfig, now: number): { state: BudgetState; verdict: Verdict } {
  const seconds = Math.max(0, now - state.at) / 1000;
  const tokens = Math.min(config.burst, state.tokens + seconds * config.perSecond);
  const overflow = Math.max(0, state.overflow - seconds);
  if (tokens >= 1) return { state: { tokens: tokens - 1, overflow, at: now }, verdict: "ok" };
  const after = { tokens, overflow: overflow + 1, at: now };
  return { state: after, verdict: after.overflow > config.overflowLimit ? "close" : "refused" };
}

/** Reads the limits from the environment, falling back to the defaults for anything unset or silly. */
export function budgetConfig(env: { MESSAGE_BURST?: string; MESSAGES_PER_SECOND?: string }): BudgetConfig {
  const positive = (value: string | undefined, fallback: number) => {
    const n = Number(value);
    return Number.isFinite(n) && n >= 1 ? n : fallback;
  };
  return {
    burst: positive(env.MESSAGE_BURST, DEFAULT_BUDGET.burst),
    perSecond: positive(env.MESSAGES_PER_SECOND, DEFAULT_BUDGET.perSecond),
    overflowLimit: DEFAULT_BUDGET.overflowLimit,
  };
}
