import { useEffect, useRef } from "preact/hooks";
import type { CallHandle } from "../call/call";
import { playSound } from "../services/sounds";

/**
 * Short cues for the ear: we joined, someone joined, someone left, someone wrote (sounds.ts can
 * turn them off). Joins and leaves follow the engine's exact events; people already in the room
 * when we arrive are greeted by our own join sound, not by one sound each.
 */
export function useCallSounds(call: CallHandle): void {
  const status = call.status.value;
  const messages = call.chat.messages.value;
  const greeted = useRef(false);
  const lastMessage = useRef(0);

  useEffect(() => {
    if (status !== "joined" || greeted.current) return;
    greeted.current = true;
    playSound("join");
  }, [status]);

  useEffect(() => {
    const stopJoins = call.on("peer-joined", () => playSound("join"));
    const stopLeaves = call.on("peer-left", () => playSound("leave"));
    return () => {
      stopJoins();
      stopLeaves();
    };
  }, [call]);

  useEffect(() => {
    const fresh = messages.filter((message) => message.id > lastMessage.current);
    lastMessage.current = messages.at(-1)?.id ?? lastMessage.current;
    if (fresh.some((message) => message.from !== null && !message.notice)) playSound("message");
  }, [messages]);
}
