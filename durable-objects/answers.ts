/**
 * The shell's side of gathering facts: finds out what the room's rules ask (room-rules/facts.ts
 * Question) with the I/O each answer takes — storage reads, the resume token's HMAC, a key's
 * PBKDF2 hash, ICE servers with fresh TURN credentials. It decides nothing and changes nothing:
 * even a room secret drawn here is stored by the rules, as an effect.
 */

import type { Env } from "../worker/env";
import { iceConfigFor } from "./ice-servers";
import { hashKey, verifyKey } from "./lock-key";
import { isResumeTokenValid, newRoomSecret, resumeTokenFor } from "./resume-token";
import type { CallModeRecord } from "./room-rules/call-mode";
import {
  type Answers,
  type Facts,
  type MemberRecord,
  type Question,
  type RoomRecords,
  StorageKey,
} from "./room-rules/facts";
import type { SfuRecord } from "./room-rules/sfu-calls";

export async function answer(
  storage: DurableObjectStorage,
  env: Env,
  facts: Facts,
  question: Question,
): Promise<Partial<Facts>> {
  const { answers } = facts;
  switch (question.kind) {
    case "records":
      return { records: await readRecords(storage, facts.settings.sfu === true) };
    case "resume-token": {
      const { secret, drawn } = await roomSecret(storage, answers);
      const resumeTokenValid = await isResumeTokenValid(secret, question.id, question.token);
      return { answers: { ...answers, ...drawn, resumeTokenValid } };
    }
    case "key-guess":
      return { answers: { ...answers, keyMatches: await verifyKey(question.key, question.lock) } };
    case "new-lock":
      return { answers: { ...answers, newLock: await hashKey(question.key) } };
    case "credentials": {
      const ice = await iceConfigFor(env, facts.now);
      if (question.id === null) return { answers: { ...answers, ice } };
      const { secret, drawn } = await roomSecret(storage, answers);
      const resumeToken = { id: question.id, token: await resumeTokenFor(secret, question.id) };
      return { answers: { ...answers, ...drawn, ice, resumeToken } };
    }
  }
}

/**
 * Everything the room keeps in storage but its secret (storage caches reads in memory). SFU
 * sessions and the call mode only where SFU mode is configured: a mesh-only room reads exactly
 * what it always did.
 */
async function readRecords(storage: DurableObjectStorage, withSfu: boolean): Promise<RoomRecords> {
  const identities = await storage.list<MemberRecord>({ prefix: StorageKey.member });
  const sessions = withSfu ? await storage.list<SfuRecord>({ prefix: StorageKey.sfu }) : new Map<string, SfuRecord>();
  const { lock, guesses, knockBudget, knockHolds, emptySince, callMode } = StorageKey;
  const keys = [lock, guesses, knockBudget, knockHolds, emptySince, ...(withSfu ? [callMode] : [])];
  const values = await storage.get<never>(keys);
  const mode = values.get(callMode) as CallModeRecord | undefined;
  return {
    identities: [...identities.values()],
    lock: values.get(lock) ?? null,
    guesses: values.get(guesses) ?? null,
    knockBudget: values.get(knockBudget) ?? null,
    knockHolds: values.get(knockHolds) ?? {},
    emptySince: values.get(emptySince) ?? null,
    ...(mode !== undefined && { callMode: mode }),
    ...(sessions.size > 0 && {
      sfu: Object.fromEntries([...sessions].map(([key, record]) => [key.slice(StorageKey.sfu.length), record])),
    }),
  };
}

/** The secret resume tokens are made with; a room without one draws it here, for the rules to store. */
async function roomSecret(
  storage: DurableObjectStorage,
  answers: Answers,
): Promise<{ secret: string; drawn: Answers }> {
  const stored = answers.newSecret ?? (await storage.get<string>(StorageKey.secret));
  if (stored) return { secret: stored, drawn: {} };
  const secret = newRoomSecret();
  return { secret, drawn: { newSecret: secret } };
}
