/**
 * The engine's side of moving a call between mesh and SFU (sfu-route.ts) that needs no SFU: the
 * roster with members we have no peer connection with (their tiles, safety codes and offers),
 * chat to such a member (sealed through the room, never dropped), and the route notices on a
 * peer connection's data channel. The SFU path itself (publish, pull, make before break, back to
 * mesh) runs in real Chromium through the room and the stand-in: test/e2e/sfu-call.test.ts.
 */
import { signal } from "@preact/signals-core";
import { describe, expect, it } from "vitest";
import { Chat } from "../../frontend/call/chat";
import { encodeChat } from "../../frontend/call/chat-log";
import { CallEmitter } from "../../frontend/call/events";
import { PeerConnection } from "../../frontend/call/peer/peer-connection";
import type { ConnectionQuality } from "../../frontend/call/peer/quality";
import type { SafetyState } from "../../frontend/call/peer/safety-exchange";
import { Roster, type SfuView } from "../../frontend/call/roster";
import { type Routes, route } from "../../frontend/call/route";
import { cameraLayers } from "../../frontend/call/sfu/sfu-call";
import { parseRouteNotice, routeNotice } from "../../frontend/call/sfu-route";
import { Verification } from "../../frontend/call/verification";
import { ADA, BOB, SELF } from "./fake-room";
import { FakeRTCPeerConnection, useFakeRTC } from "./fake-rtc";

function roster({ mesh = false, sfu = new Map<string, SfuView>() } = {}) {
  const connects: { id: string; awaitFirstOffer: boolean; offered: boolean }[] = [];
  const roster = new Roster({
    selfId: signal(SELF),
    selfName: signal("Cy"),
    // As the call does in SFU mode: a connection only for a member that offers one.
    connect: (id, awaitFirstOffer, offered = false) => {
      connects.push({ id, awaitFirstOffer, offered });
      return mesh || offered
        ? new PeerConnection({ selfId: SELF, peerId: id, localStream: null, awaitFirstOffer, sendSignal: () => {} })
        : null;
    },
    viaSfu: (id) => sfu.get(id) ?? null,
    verification: new Verification(),
    events: new CallEmitter(),
  });
  return { roster, connects };
}

describe("a roster in SFU mode", () => {
  useFakeRTC();

  it("keeps a member without a peer connection, its tile showing what comes through the SFU", () => {
    const stream = {} as MediaStream;
    const code = signal<SafetyState>({ kind: "code", code: "123456789012" });
    const quality = signal<ConnectionQuality | null>(null);
    const sfu = new Map<string, SfuView>([
      [ADA, { shown: { stream, pip: null, audioLevel: () => -20, quality }, safetyCode: code }],
    ]);
    const { roster: r } = roster({ sfu });
    r.add({ id: ADA, name: "Ada" });
    expect(r.members.value.get(ADA)?.connection).toBeNull();
    const [ada] = r.peers.value;
    expect(ada?.stream).toBe(stream);
    expect(ada?.audioLevel?.()).toBe(-20);
    // Its badge reads what arrives through the SFU (peer/receiver-quality.ts): there is no connection to measure.
    expect(ada?.quality).toBe(quality);
    // The code over the end-to-end keys, since there is no connection whose certificate could be compared.
    expect(ada?.safetyCode).toBe(code);
    expect(r.safetyCodeOf(r.members.value.get(ADA)!)).toBe(code);
  });

  it("shows an empty tile for a member met in SFU mode until its media comes through", () => {
    const { roster: r } = roster();
    r.add({ id: ADA, name: "Ada" });
    expect(r.peers.value).toMatchObject([{ id: ADA, stream: null }]);
    expect(r.peers.value[0]?.safetyCode).toBeUndefined();
  });

  it("answers a member that offers a peer connection (its browser cannot use the SFU)", () => {
    const { roster: r, connects } = roster();
    r.add({ id: ADA, name: "Ada" });
    r.signal(ADA, { description: { type: "offer", sdp: "v=0" } });
    expect(connects.at(-1)).toEqual({ id: ADA, awaitFirstOffer: true, offered: true });
    expect(r.members.value.get(ADA)?.connection).toBeInstanceOf(PeerConnection);
  });

  it("drops a connection on purpose, keeping the member, and connects everyone again for mesh", () => {
    const { roster: r, connects } = roster({ mesh: true });
    r.add({ id: ADA, name: "Ada" });
    r.add({ id: BOB, name: "Bob" });
    const pc = FakeRTCPeerConnection.created.at(-1) as FakeRTCPeerConnection;
    r.dropConnection(BOB);
    expect(pc.signalingState).toBe("closed");
    expect(r.members.value.get(BOB)).toMatchObject({ name: "Bob", connection: null });
    expect(r.peers.value.map((p) => p.id)).toEqual([ADA, BOB]);

    r.connectAll();
    // Only Bob needed one; we offer (the other end does too, and perfect negotiation sorts it out).
    expect(connects.at(-1)).toEqual({ id: BOB, awaitFirstOffer: false, offered: false });
    expect(r.members.value.get(BOB)?.connection).toBeInstanceOf(PeerConnection);
    expect(connects.filter((c) => c.id === ADA)).toHaveLength(1);
  });
});

describe("chat to a member without a peer connection", () => {
  useFakeRTC();

  it("goes sealed through the room; a member with a connection still gets it over the data channel", () => {
    const { roster: r } = roster({ mesh: true });
    r.add({ id: ADA, name: "Ada" });
    r.add({ id: BOB, name: "Bob" });
    r.dropConnection(BOB);
    const sealed: [string, string][] = [];
    const chat = new Chat({
      members: r.members,
      sendSealed: (to, frame) => sealed.push([to, frame]),
      selfName: signal("Cy"),
      inCall: () => true,
      events: new CallEmitter(),
      now: () => 0,
    });
    const channel = (FakeRTCPeerConnection.created[0] as FakeRTCPeerConnection).channels[0]!;
    channel.readyState = "open";
    expect(chat.send("hello")).toBeNull();
    expect(sealed).toEqual([[BOB, encodeChat("hello")]]);
    expect(channel.sent).toEqual([encodeChat("hello")]);
  });
});

describe("a member back after its socket dropped", () => {
  useFakeRTC();

  it("is told to SFU mode, which sends its keys again; someone new is not (the key exchange greets them)", () => {
    const { roster: r } = roster();
    const returned: string[] = [];
    // The room's messages go through the real switchboard and roster; SFU mode, the door and the
    // etiquette are not what this is about, so they only take messages.
    const parts = {
      sfu: { receive: () => false, peerReturned: (id: string) => returned.push(id) },
      entry: { hold: () => false },
      etiquette: { update() {} },
      roster: r,
    } as unknown as Routes;
    route(parts, { type: "peer-joined", peer: { id: ADA, name: "Ada" } });
    expect(returned).toEqual([]);
    // Ada resumes: the room says peer-joined again for an id we still have.
    route(parts, { type: "peer-joined", peer: { id: ADA, name: "Ada" } });
    expect(returned).toEqual([ADA]);
    expect([...r.members.value.keys()]).toEqual([ADA]);
  });
});

describe("route notices", () => {
  it("say which path a page shows its peer on, and are never taken for chat", () => {
    expect(parseRouteNotice(routeNotice("sfu"))).toBe("sfu");
    expect(parseRouteNotice(routeNotice("mesh"))).toBe("mesh");
    expect(parseRouteNotice(encodeChat(routeNotice("sfu")))).toBeNull();
    expect(parseRouteNotice('{"natter-route":"p2p"}')).toBeNull();
    expect(parseRouteNotice("")).toBeNull();
  });
});

describe("the camera's simulcast layers", () => {
  it("are full, half and quarter width, each only while at least 320 pixels wide", () => {
    const widths = (w?: number) => cameraLayers(w).map((l) => `${l.rid}:${l.width}`);
    expect(widths()).toEqual(["f:1280", "h:640", "q:320"]);
    expect(widths(1280)).toEqual(["f:1280", "h:640", "q:320"]);
    expect(widths(640)).toEqual(["f:640", "h:320"]);
    // A small camera is published in one layer: no simulcast, nothing for a tile to choose.
    expect(widths(320)).toEqual(["f:320"]);
  });
});
