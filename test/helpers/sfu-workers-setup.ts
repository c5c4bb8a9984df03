/**
 * Global set-up of the workers-sfu project: starts the SFU stand-in and the werift peers
 * (sfu-peers.ts) once, and provides their addresses and the app's credentials, which
 * vitest.workers-sfu.config.ts passes to the Worker as its REALTIME_* bindings.
 */
import type { TestProject } from "vitest/node";
import { startSfuPeers } from "./sfu-peers";

declare module "vitest" {
  interface ProvidedContext {
    sfuApiBase: string;
    sfuAppId: string;
    sfuAppSecret: string;
    sfuPeersUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const peers = await startSfuPeers();
  project.provide("sfuApiBase", peers.sfu.apiBase);
  project.provide("sfuAppId", peers.sfu.appId);
  project.provide("sfuAppSecret", peers.sfu.appSecret);
  project.provide("sfuPeersUrl", peers.url);
  return () => peers.stop();
}
