import { signal } from "@preact/signals";
import type { LockInfo } from "../../durable-objects/protocol";
import type { Access } from "../../frontend/call/access";
import type { CallStatus, GuessWarning, KnockRequest, LockNews, Peer } from "../../frontend/call/call";
import type { CallHandle } from "../../frontend/pages/Room";

/** A call's state as plain writable signals: the views under test cannot tell it from the engine. */
export function fakeCall(
  initial: {
    peers?: Peer[];
    mediaError?: string | null;
    status?: CallStatus;
    access?: Access;
    lock?: LockInfo | null;
    knocks?: KnockRequest[];
  } = {},
) {
  /** Every control the view used, in order, so tests can assert what a click asked the engine to do. */
  const calls: unknown[][] = [];
  /** What `submitKey` and `lockRoom` answer: null accepts the key. */
  let keyProblem: string | null = null;
  const state = {
    status: signal<CallStatus>(initial.status ?? "joined"),
    selfId: signal<string | null>("0".repeat(32)),
    selfName: signal("Ada"),
    localStream: signal<MediaStream | null>(null),
    peers: signal<readonly Peer[]>(initial.peers ?? []),
    mediaError: signal<string | null>(initial.mediaError ?? null),
    error: signal<string | null>(null),
    access: signal<Access>(initial.access ?? { state: "in" }),
    lock: signal<LockInfo | null>(initial.lock ?? null),
    lockNews: signal<LockNews | null>(null),
    knocks: signal<readonly KnockRequest[]>(initial.knocks ?? []),
    guessWarning: signal<GuessWarning | null>(null),
    removedBy: signal<string | null>(null),
    calls,
    leaves: 0,
    refuseKeysWith(problem: string | null) {
      keyProblem = problem;
    },
    leave() {
      state.leaves += 1;
      state.status.value = "left";
    },
    submitKey(key: string) {
      calls.push(["submitKey", key]);
      return keyProblem;
    },
    knock() {
      calls.push(["knock"]);
    },
    lockRoom(key: string, options?: { thenRemove?: string }) {
      calls.push(options ? ["lockRoom", key, options] : ["lockRoom", key]);
      return keyProblem;
    },
    unlockRoom() {
      calls.push(["unlockRoom"]);
    },
    admit(id: string) {
      calls.push(["admit", id]);
    },
    deny(id: string) {
      calls.push(["deny", id]);
    },
    removePeer(id: string) {
      calls.push(["removePeer", id]);
    },
  };
  return state satisfies CallHandle;
}

export const peerA: Peer = { id: "a".repeat(32), name: "Grace", stream: null };
export const peerB: Peer = { id: "b".repeat(32), name: "Linus", stream: null };
