/**
 * The SFU lab with end-to-end encryption (sfu-e2ee.test.ts): the plain lab (lab.ts) plus the
 * browser's SfuSecurity, wired as the call engine would wire it. Served as a page of its own at
 * the room's origin (index.html, built by Vite with its transform worker as a same-origin file
 * under the app's Content-Security-Policy), because a worker cannot start from an injected script.
 *
 * What the engine's part is here: the roster from welcome / peer-joined / peer-left goes to
 * setMembers before anything relayed from a newcomer is handled; each relayed `{e2ee}` signal goes
 * to receive, in order; our messages go out as signal{to, data:{e2ee}}; a member's tracks are
 * pulled once `readable` says we hold the key it encrypts with.
 */
import type { E2eeSignal } from "../../../common/e2ee-signal";
import { needsInsertableStreams, transformApi } from "../../../frontend/call/e2ee/media-transform";
import type { TransformStats } from "../../../frontend/call/e2ee/transform-messages";
import { SfuSecurity } from "../../../frontend/call/sfu/sfu-security";
import { type LabMessage, type LabPulled, lab } from "./lab";

let security: SfuSecurity | null = null;
let selfId = "";
const members = new Set<string>();
/** Room messages, handled one at a time in the room's order (creating SfuSecurity is asynchronous). */
let chain: Promise<void> = Promise.resolve();
let failure: string | null = null;

async function handle(message: LabMessage): Promise<void> {
  if (message.type === "welcome") {
    selfId = message.id as string;
    security = await SfuSecurity.create({
      selfId,
      send: (to, e2ee: E2eeSignal) => lab.send({ type: "signal", to, data: { e2ee } }),
    });
    if (!security) throw new Error("this browser cannot encrypt frames");
    members.add(selfId);
    for (const peer of message.peers as { id: string }[]) members.add(peer.id);
    await security.setMembers([...members]);
  } else if (message.type === "peer-joined") {
    members.add((message.peer as { id: string }).id);
    await security?.setMembers([...members]);
  } else if (message.type === "peer-left") {
    members.delete(message.id as string);
    await security?.setMembers([...members]);
  } else if (message.type === "signal") {
    const data = message.data as { e2ee?: unknown };
    await security?.receive(message.from as string, data.e2ee);
  }
}

const isE2ee = (message: LabMessage) =>
  message.type === "signal" && typeof message.data === "object" && message.data !== null && "e2ee" in message.data;

/** Joins as `name` with end-to-end encryption; resolves once our SfuSecurity exists. */
async function join(path: string, name: string): Promise<string> {
  await lab.join(path, name, {
    protect: {
      // Needed before the welcome (the session's connection is made at once): what SfuSecurity will ask for.
      configuration: needsInsertableStreams(transformApi() ?? "script-transform") as RTCConfiguration,
      sender: (sender) => security!.protectSender(sender),
      receiver: (receiver, from) => security!.protectReceiver(receiver, from),
    },
    onMessage: (message) => {
      chain = chain
        .then(() => handle(message))
        .catch((error: unknown) => {
          failure = String(error);
        });
      return isE2ee(message);
    },
  });
  while (!security) {
    if (failure) throw new Error(failure);
    await chain;
    if (!security) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return selfId;
}

/** Pulls once we hold the key `from` encrypts with now. */
async function pull(from: string, trackNames: string[]): Promise<LabPulled[]> {
  if (!(await security!.readable(from))) throw new Error(`${from} left before we had their key`);
  return lab.pull(from, trackNames);
}

export const secureLab = {
  join,
  pull,
  /** The pair's safety code, or "waiting" / "failed: reason". */
  safetyCode(peerId: string): string {
    const state = security!.safetyCode(peerId).value;
    return state.kind === "code" ? state.code : state.kind === "failed" ? `failed: ${state.reason}` : "waiting";
  },
  stats: (): Promise<TransformStats> => security!.stats(),
};
export type SecureLab = typeof secureLab;
(window as unknown as { secureLab: SecureLab }).secureLab = secureLab;
