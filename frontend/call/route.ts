/**
 * The call's switchboard: each of the room's messages goes to the part that owns it (call.ts
 * lists the parts). Split from call.ts so the facade reads as lifecycle and controls, and this
 * one switch shows at a glance who handles what; it decides nothing itself.
 */
import type { ReadonlySignal, Signal } from "@preact/signals-core";
import type { CallMode, IceConfig, ServerMessage } from "../../common/protocol";
import type { Door } from "./door";
import type { Entry } from "./entry";
import type { Etiquette } from "./etiquette";
import type { CallError } from "./handle";
import type { NameLabel } from "./names";
import type { Roster } from "./roster";
import type { SfuRoute } from "./sfu-route";
import type { CallStatus } from "./status";

/** How a call ends: left, removed (by whom, when known), or failed. */
export type CallEnd = { status: "left" } | { status: "removed"; removedBy: NameLabel | null } | { error: CallError };

/** The parts a message can go to, and what the facade itself does with one. */
export interface Routes {
  status: ReadonlySignal<CallStatus>;
  /** The room's word on mesh or SFU; sfu-route.ts acts on it. */
  callMode: Signal<CallMode>;
  sfu: SfuRoute;
  entry: Entry;
  etiquette: Etiquette;
  roster: Roster;
  door: Door;
  useIce(ice: IceConfig): void;
  end(how: CallEnd): void;
}

/** Each of the room's messages, to the part that owns it. */
export function route(parts: Routes, message: ServerMessage): void {
  // SFU replies and news first: they answer requests already out and need nothing else.
  if (parts.sfu.receive(message)) return;
  if (parts.entry.hold(message)) return;
  switch (message.type) {
    case "welcome":
      // A room without SFU mode never says: its calls are mesh.
      parts.callMode.value = message.mode ?? "mesh";
      parts.sfu.welcomed(message.id);
      parts.etiquette.welcome(message.peers, message);
      void parts.entry.welcome(message);
      break;
    case "peer-joined": {
      // A member we still have is back after its socket dropped: what we sent it meanwhile was lost.
      const returned = parts.roster.members.peek().has(message.peer.id);
      parts.etiquette.update(message.peer);
      parts.roster.joined(message.peer);
      if (returned) parts.sfu.peerReturned(message.peer.id);
      break;
    }
    case "peer-left":
      parts.etiquette.left(message.id);
      parts.roster.remove(message.id);
      break;
    case "peer-state":
      parts.etiquette.update(message.peer);
      parts.roster.update(message.peer);
      break;
    case "reaction":
      parts.etiquette.reaction(message.from, message.emoji);
      break;
    case "signal":
      // SFU mode's end-to-end keys, safety frames and sealed chat; the rest is a peer connection's.
      if ("e2ee" in message.data) parts.sfu.receiveE2ee(message.from, message.data.e2ee);
      else parts.roster.signal(message.from, message.data);
      break;
    case "ice":
      parts.useIce(message.ice);
      break;
    case "call-mode":
      parts.callMode.value = message.mode;
      break;
    case "denied":
      parts.entry.denied(message);
      break;
    case "knock-sent":
    case "locked":
    case "unlocked":
    case "knocking":
    case "knock-ended":
    case "key-guessed":
      parts.door.receive(message);
      break;
    case "removed":
      // The socket closes right after; this message is what lets us say who.
      parts.end({ status: "removed", removedBy: parts.roster.labelOf(message.byId, message.by) });
      break;
    case "error":
      // Most errors are races the room reports and we can shrug off (a signal to a peer who just left).
      console.warn(`natter: the room reported ${message.code}: ${message.message}`);
      // Before the room has answered our join, nothing else will happen: the call has failed.
      if (parts.status.value === "connecting") parts.end({ error: "room-refused" });
      else parts.door.refused(message);
      break;
  }
}
