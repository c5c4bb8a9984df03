/**
 * The engine's seams that views follow: exact join and leave events (what the call sounds play
 * on), safety-code verification kept in the engine, and the one dispose that stops a part.
 * A real Call in a room the test plays (fake-room.ts), WebRTC faked at the browser boundary.
 */
import { signal } from "@preact/signals-core";
import { describe, expect, it, vi } from "vitest";
import type { PeerInfo } from "../../common/protocol";
import type { CallEventMap } from "../../frontend/call/events";
import { backoffCeiling } from "../../frontend/call/link/backoff";
import type { SafetyState } from "../../frontend/call/peer/safety-exchange";
import { PEER_RETURN_GRACE_MS } from "../../frontend/call/roster";
import { Scope } from "../../frontend/call/scope";
import { Verification } from "../../frontend/call/verification";
import { ADA, BOB, RoomSocket, roomCall, welcome } from "./fake-room";
import { fakeStream, fakeTrack, useFakeRTC } from "./fake-rtc";

const ada: PeerInfo = { id: ADA, name: "Ada" };
const bob: PeerInfo = { id: BOB, name: "Bob" };

/** A joined call that writes down every join and leave event it emits, in order. */
async function recordedCall(peers: PeerInfo[]) {
  const room = roomCall(
    {
      getUserMedia: async () => fakeStream([fakeTrack("audio")]),
      reconnect: { random: () => 0.999_999, environment: null },
    },
    { socket: RoomSocket, settle: () => vi.advanceTimersByTimeAsync(0) },
  );
  const events: string[] = [];
  const record =
    (type: keyof CallEventMap) =>
    ({ name }: { name: string }) =>
      events.push(`${type} ${name}`);
  room.call.on("peer-joined", record("peer-joined"));
  room.call.on("peer-left", record("peer-left"));
  room.call.start();
  room.socket().open();
  await room.receive(welcome(peers));
  expect(room.call.status.value).toBe("joined");
  return { ...room, events };
}

describe("the call's join and leave events", () => {
  useFakeRTC({ fakeTimers: true, now: 1_700_000_000_000 });

  it("announces someone new and someone leaving, but not the people already there when we arrive", async () => {
    const { receive, events } = await recordedCall([ada]);
    expect(events).toEqual([]);

    await receive({ type: "peer-joined", peer: bob });
    await receive({ type: "peer-left", id: ADA });
    expect(events).toEqual(["peer-joined Bob", "peer-left Ada"]);
  });

  it("stays quiet for a peer that only resumed its socket, and for a leave it has already announced", async () => {
    const { receive, events } = await recordedCall([ada]);
    await receive({ type: "peer-joined", peer: ada });
    await receive({ type: "peer-left", id: ADA });
    await receive({ type: "peer-left", id: ADA });
    expect(events).toEqual(["peer-left Ada"]);
  });

  it("after a reconnect, announces new faces and, once their grace is over, the peers that never came back", async () => {
    const { call, socket, receive, events } = await recordedCall([ada]);
    socket().drop(1006);
    await vi.advanceTimersByTimeAsync(backoffCeiling(0));
    socket().open();
    // The room restarted: Bob joined meanwhile, Ada is not back yet.
    await receive(welcome([bob]));
    expect(events).toEqual(["peer-joined Bob"]);

    await vi.advanceTimersByTimeAsync(PEER_RETURN_GRACE_MS);
    expect(events).toEqual(["peer-joined Bob", "peer-left Ada"]);
    expect(call.peers.value.map((p) => p.id)).toEqual([BOB]);
  });

  it("stops telling a listener once it unsubscribes", async () => {
    const { call, receive } = await recordedCall([]);
    const heard: string[] = [];
    const stop = call.on("peer-joined", ({ name }) => heard.push(name));
    await receive({ type: "peer-joined", peer: ada });
    stop();
    await receive({ type: "peer-joined", peer: bob });
    expect(heard).toEqual(["Ada"]);
  });

  it("stops telling the room about our media once turned away at the door after a reconnect", async () => {
    const { call, socket, receive } = await recordedCall([ada]);
    socket().drop(1006);
    await vi.advanceTimersByTimeAsync(backoffCeiling(0));
    socket().open();
    await receive({ type: "denied", reason: "locked" });
    expect(call.status.value).toBe("outside");
    const sentBefore = socket().sentMessages().length;

    call.setMicrophone(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(socket().sentMessages().slice(sentBefore)).toEqual([]);
  });

  it("marks nothing verified while a peer's safety code is still being worked out", async () => {
    const { call } = await recordedCall([ada]);
    expect(call.peers.value[0]?.safetyCode?.value).toEqual({ kind: "waiting" });
    call.setVerified(ADA, true);
    expect(call.peers.value[0]?.verified).toBe(false);
  });
});

describe("safety-code verification", () => {
  it("holds for the code it was given only: a new connection's new code starts unverified", () => {
    const verification = new Verification();
    const code = signal<SafetyState>({ kind: "code", code: "1234 5678" });
    expect(verification.isVerified(ADA, code)).toBe(false);

    verification.mark(ADA, code, true);
    expect(verification.isVerified(ADA, code)).toBe(true);
    expect(verification.isVerified(BOB, code)).toBe(false);

    code.value = { kind: "code", code: "9999 0000" };
    expect(verification.isVerified(ADA, code)).toBe(false);
    code.value = { kind: "code", code: "1234 5678" };
    verification.mark(ADA, code, false);
    expect(verification.isVerified(ADA, code)).toBe(false);
  });

  it("cannot mark a failed exchange", () => {
    const verification = new Verification();
    const failed = signal<SafetyState>({ kind: "failed", reason: "broken" });
    verification.mark(ADA, failed, true);
    expect(verification.isVerified(ADA, failed)).toBe(false);
  });
});

describe("a part's scope", () => {
  it("stops its effects and clears its timers with one dispose, and stops anything added afterwards at once", () => {
    vi.useFakeTimers();
    try {
      const scope = new Scope();
      const source = signal(0);
      const seen: number[] = [];
      let fired = 0;
      scope.effect(() => {
        seen.push(source.value);
      });
      scope.later(1_000, () => {
        fired += 1;
      });
      const cancel = scope.later(500, () => {
        fired += 10;
      });
      cancel();
      source.value = 1;
      scope.dispose();
      source.value = 2;
      vi.advanceTimersByTime(2_000);
      expect(seen).toEqual([0, 1]);
      expect(fired).toBe(0);

      let cleaned = false;
      scope.add(() => {
        cleaned = true;
      });
      expect(cleaned).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
