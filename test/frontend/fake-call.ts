import { signal } from "@preact/signals";
import type { CallStatus, Peer } from "../../frontend/call/call";
import type { CallHandle } from "../../frontend/pages/Room";

/** A call's state as plain writable signals: the views under test cannot tell it from the engine. */
export function fakeCall(initial: { peers?: Peer[]; mediaError?: string | null; status?: CallStatus } = {}) {
  const state = {
    status: signal<CallStatus>(initial.status ?? "joined"),
    selfId: signal<string | null>("0".repeat(32)),
    selfName: signal("Ada"),
    localStream: signal<MediaStream | null>(null),
    peers: signal<readonly Peer[]>(initial.peers ?? []),
    mediaError: signal<string | null>(initial.mediaError ?? null),
    error: signal<string | null>(null),
    leaves: 0,
    leave() {
      state.leaves += 1;
      state.status.value = "left";
    },
  };
  return state satisfies CallHandle;
}

export const peerA: Peer = { id: "a".repeat(32), name: "Grace", stream: null };
export const peerB: Peer = { id: "b".repeat(32), name: "Linus", stream: null };
