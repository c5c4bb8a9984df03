/**
 * Everything SFU mode adds to a page, in one chunk loaded on demand (sfu-route.ts): the SFU
 * media (sfu-call.ts, with the session, requests and plan) and the end-to-end security
 * (sfu-security.ts, with the frame-encryption worker). A mesh call never downloads any of it.
 */
import type { ReadonlySignal } from "@preact/signals-core";
import type { E2eeSignal } from "../../../common/e2ee-signal";
import type { SafetyState } from "../peer/safety-exchange";
import { SfuCall, type SfuProtection } from "./sfu-call";
import { SfuSecurity } from "./sfu-security";

/** What the route needs of the security (SfuSecurity). */
export interface SfuSecurityHandle extends SfuProtection {
  setMembers(ids: readonly string[]): void;
  receive(from: string, e2ee: unknown): void;
  /** Resolves true once we hold the key the member encrypts with now: its tracks are pulled only then. */
  readable(peerId: string): Promise<boolean>;
  /** A member resumed after its room socket dropped: what we sent it meanwhile goes again. */
  peerReturned(peerId: string): void;
  safetyCode(peerId: string): ReadonlySignal<SafetyState>;
  sendChat(to: string, frame: string): Promise<void>;
  dispose(): void;
}

export interface SfuSecurityOptions {
  selfId: string;
  send(to: string, e2ee: E2eeSignal): void;
  onChat(from: string, frame: string): void;
}

export interface SfuModules {
  SfuCall: typeof SfuCall;
  /** Null when this browser cannot encrypt frames. */
  createSecurity(options: SfuSecurityOptions): Promise<SfuSecurityHandle | null>;
}

export const sfuModules: SfuModules = {
  SfuCall,
  createSecurity: (options) => SfuSecurity.create(options),
};
