/**
 * Who is who on the room page: one label per person (a tag added where names clash), worked out
 * once per render from everyone the page may name, so a label means the same person everywhere.
 */
import { useMemo } from "preact/hooks";
import type { CallState } from "../../call/call";
import type { ChatEntry } from "../../call/chat-log";
import { labelPeople, type Named, type NameLabel } from "../../call/names";
import { SELF } from "../../components/stage";

/** The labels of everyone the call's signals name right now. */
export function useLabels(call: CallState): ReadonlyMap<string, NameLabel> {
  const selfId = call.selfId.value;
  const selfName = call.selfName.value;
  const peers = call.peers.value;
  const knocks = call.knocks.value;
  const lock = call.lock.value;
  const lockNews = call.lockNews.value;
  const chatMessages = call.chat.messages.value;
  return useMemo(
    () => labelPeople(castOf({ selfId, selfName, peers, knocks, lock, lockNews, chat: chatMessages })),
    [selfId, selfName, peers, knocks, lock, lockNews, chatMessages],
  );
}

/**
 * Everyone a view may name, present first (their current names win): ourselves, the people in the
 * call, people knocking, whoever locked, and past chat senders, so that a label means the same
 * person in the tiles, the badge and the log.
 */
function castOf(facts: {
  selfId: string | null;
  selfName: string;
  peers: readonly Named[];
  knocks: readonly Named[];
  lock: { by: string; byId: string | null } | null;
  lockNews: { by: string; byId: string } | null;
  chat: readonly ChatEntry[];
}): Named[] {
  const cast: Named[] = [{ id: facts.selfId ?? SELF, name: facts.selfName }, ...facts.peers, ...facts.knocks];
  if (facts.lock?.byId) cast.push({ id: facts.lock.byId, name: facts.lock.by });
  if (facts.lockNews) cast.push({ id: facts.lockNews.byId, name: facts.lockNews.by });
  for (let i = facts.chat.length - 1; i >= 0; i--) {
    const entry = facts.chat[i];
    if (entry?.from) cast.push({ id: entry.from, name: entry.name });
  }
  return cast;
}
