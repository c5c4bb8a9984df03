/**
 * The lock: members lock and unlock the room, and people at the door try keys. Keys are
 * hashed (PBKDF2, tens of milliseconds of the room's only thread), so every hash comes from
 * the room's bucket (HASH_BUDGET), and a key guess is refused by the failed-guess throttle
 * before any hashing, so guessing cannot burn CPU either. The hashing itself is I/O the
 * shell does when the rules ask (`key-guess`, `new-lock`); the room stores only the hash.
 */
import type { ServerMessage } from "../../common/protocol";
import { validateKey } from "../lock-key";
import type { Changes } from "./changes";
import { ASK_RECORDS, type Ask, ask, StorageKey, type StoredRoomLock } from "./facts";
import { checkGuess, INITIAL_GUESS_STATE, recordFailure, triesLeftBeforeThrottle } from "./guess-throttle";
import { HASH_BUDGET, LOCK_COOLDOWN_MS, msUntilToken } from "./limits";
import { type BudgetState, freshBudget, spend } from "./message-budget";
import { error, MEMBERS_ONLY } from "./replies";

export function lock(changes: Changes, ref: number, key: string): Ask | undefined {
  const { member, lockChangedAt } = changes.room.attachment(ref);
  if (!member) return changes.send(ref, MEMBERS_ONLY);
  // The schema counts characters as typed; the key is hashed normalized, which may be shorter.
  const problem = validateKey(key);
  if (problem !== null) return changes.send(ref, error("bad-message", `Invalid \`lock\` message: ${problem}`));
  const cooldown = lockCooldown(lockChangedAt, changes.now);
  if (cooldown) return changes.send(ref, cooldown);
  const hash = takeHash(changes);
  if (!hash.ok) {
    const seconds = Math.ceil(hash.retryAfterMs / 1000);
    return changes.send(ref, error("busy", `The room is busy checking keys; try again in ${seconds} s.`));
  }
  const hashed = changes.facts.answers.newLock;
  if (!hashed) return ask({ kind: "new-lock", key });
  changes.keepHashBudget(hash.state);
  changes.update(ref, { lockChangedAt: changes.now });
  const stored: StoredRoomLock = { ...hashed, by: member.name, byId: member.id };
  changes.store(StorageKey.lock, stored);
  // A new lock starts a new count: the guesses were at the old key.
  changes.delete(StorageKey.guesses);
  changes.broadcast(null, { type: "locked", by: member.name, byId: member.id });
}

export function unlock(changes: Changes, ref: number): Ask | undefined {
  const { member, lockChangedAt } = changes.room.attachment(ref);
  if (!member) return changes.send(ref, MEMBERS_ONLY);
  if (!changes.facts.records) return ASK_RECORDS;
  if (!changes.records.lock) return changes.send(ref, error("not-locked", "The room is not locked."));
  const cooldown = lockCooldown(lockChangedAt, changes.now);
  if (cooldown) return changes.send(ref, cooldown);
  changes.update(ref, { lockChangedAt: changes.now });
  changes.delete(StorageKey.lock, StorageKey.guesses);
  changes.broadcast(null, { type: "unlocked", by: member.name, byId: member.id });
}

/**
 * A `join` with a key to the locked room, from socket `ref`: "opens" when it is the key, or
 * "refused" once the socket heard why not (a wrong key also tells the members someone tried).
 */
export function tryKey(changes: Changes, ref: number, key: string, lock: StoredRoomLock): "opens" | "refused" | Ask {
  const guesses = changes.records.guesses ?? INITIAL_GUESS_STATE;
  const verdict = checkGuess(guesses, changes.now);
  if (!verdict.allowed) {
    changes.send(ref, { type: "denied", reason: "throttled", retryAfterMs: verdict.retryAfterMs });
    return "refused";
  }
  // The room hashes only so many keys a second, locks and guesses together.
  const hash = takeHash(changes);
  if (!hash.ok) {
    changes.send(ref, { type: "denied", reason: "throttled", retryAfterMs: hash.retryAfterMs });
    return "refused";
  }
  const matches = changes.facts.answers.keyMatches;
  if (matches === undefined) return ask({ kind: "key-guess", key, lock });
  changes.keepHashBudget(hash.state);
  if (matches) return "opens";
  const after = recordFailure(guesses, changes.now);
  changes.store(StorageKey.guesses, after);
  changes.send(ref, { type: "denied", reason: "wrong-key", triesLeft: triesLeftBeforeThrottle(after) });
  changes.broadcast(null, { type: "key-guessed", failures: after.failures });
  return "refused";
}

/** A refusal while this socket locked or unlocked the room too recently (LOCK_COOLDOWN_MS), or null. */
function lockCooldown(lockChangedAt: number | undefined, now: number): ServerMessage | null {
  if (lockChangedAt === undefined) return null;
  const wait = lockChangedAt + LOCK_COOLDOWN_MS - now;
  if (wait <= 0) return null;
  return error("lock-cooldown", `You just locked or unlocked the room; try again in ${Math.ceil(wait / 1000)} s.`);
}

/** Takes one key hash from the room's bucket; otherwise how long until one is free. */
function takeHash(changes: Changes): { ok: true; state: BudgetState } | { ok: false; retryAfterMs: number } {
  const { now } = changes;
  const before = changes.facts.hashBudget ?? freshBudget(HASH_BUDGET, now);
  const { state, verdict } = spend(before, HASH_BUDGET, now);
  if (verdict !== "ok") return { ok: false, retryAfterMs: Math.max(1, msUntilToken(before, HASH_BUDGET, now)) };
  return { ok: true, state };
}
