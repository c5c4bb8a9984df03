/**
 * A test page for the end-to-end media encryption library (frontend/call/e2ee/), built by Vite
 * like the app and served with the app's security headers (e2ee.test.ts). It runs the real
 * modules: one sender ("alice") and several receivers in one page, each with its own key
 * exchange and frame-encryption worker, as separate pages would have. Each receiver gets its own
 * loopback connection from alice; the frames on it are what an SFU would forward.
 */
import type { E2eeSignal } from "../../../common/e2ee-signal";
import { KeyExchange } from "../../../frontend/call/e2ee/key-exchange";
import {
  MediaTransforms,
  needsInsertableStreams,
  type TransformApi,
  transformApi,
} from "../../../frontend/call/e2ee/media-transform";
import type { TransformStats } from "../../../frontend/call/e2ee/transform-messages";
import { picture } from "./picture";

export type { Picture } from "./picture";

/** How a receiver is set up: a call member, a stranger with a key of its own, or no transform at all. */
export type ReceiverKind = "member" | "wrong-key" | "no-transform";

interface Person {
  name: string;
  kind: ReceiverKind | "sender";
  transforms?: MediaTransforms;
  exchange?: KeyExchange;
  pc?: RTCPeerConnection;
  video?: HTMLVideoElement;
}

export interface ReceiverSample {
  name: string;
  connection: RTCPeerConnectionState;
  framesDecoded: number;
  framesReceived: number;
  audioSamples: number;
  audioConcealed: number;
  audioEnergy: number;
  worker: TransformStats["received"][string] | null;
}

const people = new Map<string, Person>();

/** The room socket, as far as keys are concerned: JSON on the wire, asynchronous, in order. */
function relay(from: string): (to: string, message: E2eeSignal) => void {
  return (to, message) => {
    const wire = JSON.stringify(message);
    setTimeout(() => void people.get(to)?.exchange?.receive(from, JSON.parse(wire)), 0);
  };
}

async function member(person: Person): Promise<void> {
  const transforms = person.transforms!;
  person.exchange = await KeyExchange.create({
    selfId: person.name,
    send: relay(person.name),
    useSenderKey: (generation, key) => transforms.useSenderKey(generation, key),
    setPeerKey: (peerId, keyId, key) => transforms.setPeerKey(peerId, keyId, key),
  });
}

async function connect(sender: RTCPeerConnection, receiver: RTCPeerConnection): Promise<void> {
  sender.onicecandidate = ({ candidate }) => void receiver.addIceCandidate(candidate ?? undefined);
  receiver.onicecandidate = ({ candidate }) => void sender.addIceCandidate(candidate ?? undefined);
  await sender.setLocalDescription();
  await receiver.setRemoteDescription(sender.localDescription!);
  await receiver.setLocalDescription();
  await sender.setRemoteDescription(receiver.localDescription!);
}

function play(stream: MediaStream, kind: string): HTMLMediaElement {
  const element = document.createElement(kind === "audio" ? "audio" : "video");
  element.muted = kind === "video";
  element.srcObject = stream;
  document.body.append(element);
  void element.play().catch(() => undefined);
  return element;
}

async function start(options: { api: TransformApi; receivers: { name: string; kind: ReceiverKind }[] }) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 320, height: 240, frameRate: 15 },
  });
  const alice: Person = { name: "alice", kind: "sender", transforms: new MediaTransforms(options.api) };
  people.set("alice", alice);
  await member(alice);
  for (const { name, kind } of options.receivers) {
    const person: Person = { name, kind };
    if (kind !== "no-transform") person.transforms = new MediaTransforms(options.api);
    if (kind === "member") await member(person);
    if (kind === "wrong-key") {
      // A stranger's keys under every key id alice might use: none of them is hers.
      const wrong = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["decrypt"]);
      for (let keyId = 0; keyId < 256; keyId++) person.transforms!.setPeerKey("alice", keyId, wrong);
    }
    people.set(name, person);
  }
  const members = [...people.values()].filter((p) => p.exchange);
  for (const a of members) for (const b of members) await a.exchange!.addMember(b.name, { rotate: false });

  for (const person of people.values()) {
    if (person === alice) continue;
    const config = needsInsertableStreams(options.api);
    const outgoing = new RTCPeerConnection(config);
    person.pc = new RTCPeerConnection(person.transforms ? config : {});
    for (const track of stream.getTracks()) alice.transforms!.encrypt(outgoing.addTrack(track, stream));
    person.pc.ontrack = ({ receiver, track }) => {
      person.transforms?.decrypt(receiver, "alice");
      const element = play(new MediaStream([track]), track.kind);
      if (element instanceof HTMLVideoElement) person.video = element;
    };
    await connect(outgoing, person.pc);
  }
}

async function sample(person: Person): Promise<ReceiverSample> {
  const out: ReceiverSample = {
    name: person.name,
    connection: person.pc!.connectionState,
    framesDecoded: 0,
    framesReceived: 0,
    audioSamples: 0,
    audioConcealed: 0,
    audioEnergy: 0,
    worker: null,
  };
  (await person.pc!.getStats()).forEach((stat) => {
    if (stat.type !== "inbound-rtp") return;
    if (stat.kind === "video") {
      out.framesDecoded += stat.framesDecoded ?? 0;
      out.framesReceived += stat.framesReceived ?? 0;
    } else {
      out.audioSamples += stat.totalSamplesReceived ?? 0;
      out.audioConcealed += stat.concealedSamples ?? 0;
      out.audioEnergy += stat.totalAudioEnergy ?? 0;
    }
  });
  if (person.transforms) out.worker = (await person.transforms.stats()).received.alice ?? null;
  return out;
}

const lab = {
  api: transformApi(),
  x25519: await crypto.subtle
    .generateKey({ name: "X25519" }, false, ["deriveBits"])
    .then(() => true)
    .catch(() => false),
  start,
  async receivers(): Promise<ReceiverSample[]> {
    return Promise.all([...people.values()].filter((p) => p.pc).map(sample));
  },
  sender: () => people.get("alice")!.transforms!.stats(),
  picture: (name: string) => picture(people.get(name)?.video),
  /** `name` leaves the call: every remaining member forgets them and rotates. Their connection stays, as if the SFU still forwarded to them. */
  async leave(name: string): Promise<void> {
    for (const person of people.values()) if (person.name !== name) await person.exchange?.removeMember(name);
  },
};
export type Lab = typeof lab;
(window as unknown as { lab: Lab }).lab = lab;
