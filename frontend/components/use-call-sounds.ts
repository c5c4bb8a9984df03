import { useEffect, useRef } from "preact/hooks";
import type { CallHandle } from "../call/call";
import { playSound } from "../services/sounds";

/** People already in the room when we arrive are greeted by our own join sound, not by one sound each. */
const SETTLE_MS = 2_000;

/** Short cues for the ear: someone joined, someone left, someone wrote (sounds.ts can turn them off). */
export function useCallSounds(call: CallHandle): void {
  const status = call.status.value;
  const peers = call.peers.value;
  const messages = call.chat.messages.value;
  const joinedAt = useRef<number | null>(null);
  const known = useRef<ReadonlySet<string>>(new Set());
  const lastMessage = useRef(0);

  useEffect(() => {
    if (status !== "joined") return;
    const ids = new Set(peers.map((peer) => peer.id));
    if (joinedAt.current === null) {
      joinedAt.current = Date.now();
      playSound("join");
    } else if (Date.now() - joinedAt.current > SETTLE_MS && [...ids].some((id) => !known.current.has(id))) {
      playSound("join");
    }
    if ([...known.current].some((id) => !ids.has(id))) playSound("leave");
    known.current = ids;
  }, [status, peers]);

  useEffect(() => {
    const fresh = messages.filter((message) => message.id > lastMessage.current);
    lastMessage.current = messages.at(-1)?.id ?? lastMessage.current;
    if (fresh.some((message) => message.from !== null && !message.notice)) playSound("message");
  }, [messages]);
}
