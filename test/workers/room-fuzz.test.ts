/**
 * Property-based fuzzing of the room through real WebSockets in workerd: a hostile
 * socket throws generated garbage at a room while two honest peers talk. fast-check
 * prints the seed and path of any failing case, so it can be replayed exactly by
 * passing them to `fc.assert` (see FUZZ_REPLAY below).
 */
import { env, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Room } from "../../durable-objects/room";
import { candidate, RoomClient, randomRoom } from "./support/room-client";

const RUNS = 100;
const MESSAGES_PER_RUN = 100;
/** Honest peers signal at a human pace; far faster and the room's flood control (rightly) stops them too. */
const HONEST_SIGNAL_EVERY = 40;
/** Set to `{ seed, path }` from a failure report to replay exactly that case. */
const FUZZ_REPLAY: { seed: number; path: string } | undefined = undefined;

const TYPES = ["join", "signal", "state", "lock", "unlock", "knock", "admit", "deny", "kick", "refresh-ice", "ping"];
const EVIL_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "type",
  "to",
  "from",
  "data",
  "name",
  "key",
  "resume",
  "id",
];
const STORAGE_KEYS = /^(lock|guesses|emptySince|secret|knockBudget|knockHolds|member:[0-9a-f]{32})$/;

/** Oversize payloads are built at send time, so a failure report stays readable. */
type Hostile =
  | { kind: "text"; text: string }
  | { kind: "binary"; bytes: Uint8Array }
  | { kind: "oversize"; bytes: number };

function textOf(message: Hostile): string | null {
  if (message.kind === "text") return message.text;
  if (message.kind === "oversize") return `{"type":"join","name":"${"x".repeat(message.bytes)}"}`;
  return null;
}

/** Everything an attacker might send, given the ids it could know about. */
function hostileMessage(ids: { honest: string[]; otherRoom: string }) {
  const anyId = fc.oneof(
    fc.constantFrom(ids.otherRoom, ...ids.honest),
    fc.stringMatching(/^[0-9a-f]{32}$/),
    fc.string(),
  );
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.constantFrom(null, true, -1, 1e308, Number.NaN, "", "\uD800", "\uDFFF", "<script>alert(1)</script>"),
  );
  const evilObject = fc.dictionary(fc.constantFrom(...EVIL_KEYS), value, { maxKeys: 5 });
  const shaped = fc.record({
    type: fc.oneof(fc.constantFrom(...TYPES), fc.string()),
    name: fc.option(fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), value), { nil: undefined }),
    to: fc.option(anyId, { nil: undefined }),
    from: fc.option(anyId, { nil: undefined }),
    id: fc.option(anyId, { nil: undefined }),
    key: fc.option(fc.string({ minLength: 4, maxLength: 40 }), { nil: undefined }),
    data: fc.option(fc.oneof(value, evilObject, fc.constant({ description: { type: "offer", sdp: "v=0" } })), {
      nil: undefined,
    }),
  });
  const text = fc.oneof(
    { weight: 4, arbitrary: shaped.map((m) => JSON.stringify(m)) },
    { weight: 2, arbitrary: evilObject.map((m) => JSON.stringify(m)) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 4000 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`) },
    { weight: 1, arbitrary: fc.constantFrom('{"type":"__proto__"}', '{"__proto__":{"type":"join"},"name":"p"}') },
  );
  return fc.oneof(
    { weight: 9, arbitrary: text.map((t): Hostile => ({ kind: "text", text: t })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }).map((b): Hostile => ({ kind: "binary", bytes: b })) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 65_500, max: 70_000 }).map((n): Hostile => ({ kind: "oversize", bytes: n })),
    },
  );
}

/** Kicking an honest peer is a member's right, not an attack: those few cases are taken out. */
function isKickOf(message: Hostile, ids: string[]): boolean {
  return message.kind === "text" && message.text.includes('"kick"') && ids.some((id) => message.text.includes(id));
}

describe("fuzzing a room", () => {
  it(`survives ${RUNS * MESSAGES_PER_RUN} hostile messages while honest peers talk`, async () => {
    const room = randomRoom();
    const otherRoom = randomRoom();
    const { client: ada } = await RoomClient.join(room, "Ada");
    const { client: bo } = await RoomClient.join(room, "Bo");
    const { client: eve } = await RoomClient.join(otherRoom, "Eve");
    await ada.next("peer-joined");
    const honest = [ada.id, bo.id];
    let signalsSent = 0;
    const lockKeys = new Set<string>();

    const property = fc.asyncProperty(
      fc.boolean(),
      fc.array(hostileMessage({ honest, otherRoom: eve.id }), {
        minLength: MESSAGES_PER_RUN,
        maxLength: MESSAGES_PER_RUN,
      }),
      async (joinFirst, messages) => {
        let mallory = await RoomClient.connect(room);
        try {
          await attack();
        } finally {
          // Also after a failure: shrinking reruns the property many times, and open
          // sockets would pile up against the room's socket cap.
          if (!mallory.closed) mallory.ws.close(1000, "done");
        }
        return true;

        async function attack() {
          const malloryIds = new Set<string>();
          if (joinFirst) {
            mallory.send({ type: "join", name: "Mallory" });
            const reply = await mallory.next();
            if (reply.type === "welcome") malloryIds.add(reply.id);
          }
          const firstSignal = signalsSent;
          for (const [index, message] of messages.entries()) {
            if (isKickOf(message, honest)) continue;
            if (message.kind === "text") {
              const lock = /"type":"lock".*"key":"([^"]+)"/.exec(message.text);
              if (lock?.[1]) lockKeys.add(lock[1]);
            }
            if (mallory.closed) mallory = await RoomClient.connect(room);
            try {
              const text = textOf(message);
              if (text !== null) mallory.send(text);
              else if (message.kind === "binary") mallory.ws.send(message.bytes);
            } catch {
              // The socket closed between the check and the send (1009 or 1008): expected.
            }
            // An honest peer's pace: a few signals per run, interleaved with the attack.
            if (index % HONEST_SIGNAL_EVERY === 0) ada.signal(bo.id, candidate(signalsSent++));
          }

          // Every honest signal arrives intact and in order; other traffic to Bo is only what
          // a joined Mallory may legitimately cause (joins, leaves, state, her own signals).
          for (let n = firstSignal; n < signalsSent; n++) {
            for (;;) {
              const message = await bo.next();
              if (message.type === "signal" && message.from === ada.id) {
                expect(message.data).toEqual(candidate(n));
                break;
              }
              if (message.type === "signal") expect(honest).not.toContain(message.from);
              if (message.type === "peer-joined") malloryIds.add(message.peer.id);
              expect([
                "peer-joined",
                "peer-left",
                "peer-state",
                "signal",
                "locked",
                "unlocked",
                "knocking",
                "knock-ended",
                "key-guessed",
              ]).toContain(message.type);
            }
          }
          expect(ada.closed).toBeNull();
          expect(bo.closed).toBeNull();
        }
      },
    );
    await fc.assert(property, { numRuns: RUNS, ...(FUZZ_REPLAY ?? {}) });

    // Nothing leaked into the other room.
    await eve.expectNothingPending();
    expect(eve.received.map((m) => m.type)).toEqual(["welcome", "error"]);

    // The room's storage holds only what it should: no key text, no client input as keys.
    const stored = await runInDurableObject(env.ROOM.get(env.ROOM.idFromName(room)), async (_i: Room, state) => [
      ...(await state.storage.list()),
    ]);
    for (const [key] of stored) expect(key).toMatch(STORAGE_KEYS);
    // Member records hold display names, which anyone may choose to equal some key's text;
    // they are checked for their shape, everything else for the keys' text.
    const members = stored.filter(([key]) => key.startsWith("member:"));
    for (const [, record] of members) {
      expect(record).toEqual({
        member: expect.objectContaining({ id: expect.any(String) }),
        seq: expect.any(Number),
        until: expect.toBeOneOf([null, expect.any(Number)]),
      });
    }
    const text = JSON.stringify(stored.filter(([key]) => !key.startsWith("member:")));
    for (const key of lockKeys) expect(text).not.toContain(key);
  }, 240_000);
});
