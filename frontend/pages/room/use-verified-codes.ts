/**
 * Which safety codes the person marked as verified in this call. View state for now, moved here
 * as it was from the room page: it is security state and belongs to the call engine, which is
 * where it goes next (then this hook gives way to the engine's per-peer verified signal).
 */
import { useState } from "preact/hooks";
import type { Peer } from "../../call/call";

export interface VerifiedCodes {
  isVerified(peer: Peer): boolean;
  setVerified(peer: Peer, verified: boolean): void;
}

export function useVerifiedCodes(): VerifiedCodes {
  /** Safety codes people marked as verified, by peer, for this call only; a new certificate (a new code) clears it. */
  const [verifiedCodes, setVerifiedCodes] = useState<ReadonlyMap<string, string>>(new Map());
  const isVerified = (peer: Peer) => {
    const code = codeOf(peer);
    return code !== null && verifiedCodes.get(peer.id) === code;
  };
  const setVerified = (peer: Peer, verified: boolean) => {
    const code = codeOf(peer);
    setVerifiedCodes((codes) => {
      const next = new Map(codes);
      if (verified && code) next.set(peer.id, code);
      else next.delete(peer.id);
      return next;
    });
  };
  return { isVerified, setVerified };
}

/** The connection's safety code once its exchange has finished well; null while waiting or after a failure. */
function codeOf(peer: Peer): string | null {
  const state = peer.safetyCode?.value;
  return state?.kind === "code" ? state.code : null;
}
