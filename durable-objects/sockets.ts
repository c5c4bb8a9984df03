/**
 * What the shell keeps per WebSocket: its attachment (the record that survives hibernation),
 * cached so the hot path does not deserialize every socket's on every message, and the
 * in-memory flood buckets. Plus sending that a closing socket cannot break.
 */
import type { ServerMessage } from "../common/protocol";
import type { SocketAttachment } from "./room-rules/facts";
import type { BudgetState } from "./room-rules/message-budget";

/**
 * Attachments as last written. Only a cache: the attachment itself is written through, and a
 * socket the runtime hands back after hibernation (a new object) simply misses it.
 */
const attachments = new WeakMap<WebSocket, SocketAttachment>();

export function attachmentOf(ws: WebSocket): SocketAttachment {
  let attachment = attachments.get(ws);
  if (!attachment) {
    attachment = (ws.deserializeAttachment() as SocketAttachment | null) ?? { member: null };
    attachments.set(ws, attachment);
  }
  return attachment;
}

export function attach(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
  attachments.set(ws, attachment);
}

/**
 * Flood-control buckets per socket, in memory. The general one is also written to the
 * attachment whenever it refuses (so an exhausted bucket survives hibernation); the `state`
 * and reaction ones live only here, as it refills within seconds.
 */
export const buckets = {
  messages: new WeakMap<WebSocket, BudgetState>(),
  state: new WeakMap<WebSocket, BudgetState>(),
  reactions: new WeakMap<WebSocket, BudgetState>(),
};

/** Sends, ignoring sockets that are already closing: one peer's dead socket must not stop a broadcast. */
export function send(ws: WebSocket, message: ServerMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // The runtime will deliver webSocketClose/webSocketError for it; departure happens there.
  }
}

/** Closes, ignoring a socket that is already closing: the room is done with it either way. */
export function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing.
  }
}
