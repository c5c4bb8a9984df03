/**
 * Names that deceive, refused by the room through real WebSockets: every way a name can hide
 * characters, turn the text around it, or pass for the interface's own words is answered with a
 * specific error, whether it comes with `join`, `state` or `knock`, and nothing changes. And the
 * room says who locked, unlocked or removed by peer id, since two people may share a name.
 */
import { describe, expect, it } from "vitest";
import { RoomClient, randomRoom } from "./support/room-client";

const KEY = "correct horse battery staple";

/** Each kind of deceiving name, and the words the room's error must use for it. */
const deceiving: { what: string; name: string; says: string }[] = [
  { what: "a right-to-left override", name: "Ada\u202E(uoy)", says: "change the direction of text (U+202E)" },
  { what: "a left-to-right embedding", name: "\u202AAda", says: "change the direction of text (U+202A)" },
  { what: "a first-strong isolate", name: "Ada\u2068x", says: "change the direction of text (U+2068)" },
  { what: "a right-to-left mark", name: "Ada\u200F", says: "change the direction of text (U+200F)" },
  { what: "an Arabic letter mark", name: "Ada\u061Cx", says: "change the direction of text (U+061C)" },
  { what: "a zero-width space", name: "A\u200Bda", says: "invisible characters (U+200B)" },
  { what: "a zero-width non-joiner in Latin", name: "A\u200Cda", says: "invisible characters (U+200C)" },
  { what: "a zero-width joiner outside an emoji", name: "A\u200Dda", says: "invisible characters (U+200D)" },
  { what: "a word joiner", name: "Ada\u2060", says: "invisible characters (U+2060)" },
  { what: "an invisible operator", name: "Ada\u2062x", says: "invisible characters (U+2062)" },
  { what: "a byte order mark", name: "Ad\uFEFFa", says: "invisible characters (U+FEFF)" },
  { what: "a variation selector on its own", name: "Ada\uFE0F", says: "invisible characters (U+FE0F)" },
  { what: "tag characters", name: "Ada\u{E0041}\u{E0042}", says: "invisible characters (U+E0041)" },
  { what: "a soft hyphen", name: "A\u00ADda", says: "invisible characters (U+00AD)" },
  { what: "a Hangul filler", name: "\u3164", says: "invisible characters (U+3164)" },
  { what: "a line separator", name: "Ada\u2028Bo", says: "must not contain line breaks" },
  { what: "only a blank Braille cell", name: "\u2800\u2800", says: "at least one visible character" },
  { what: "half a surrogate pair", name: "Ada\uD800", says: "must be valid text" },
  { what: "the self tile's “(you)”", name: "Bo (you)", says: "must not end with “(you)”" },
  { what: "“(YOU)” in full-width letters", name: "Bo（ＹＯＵ）", says: "must not end with “(you)”" },
  { what: "the chat's “You”", name: "You", says: "must not be “you”" },
  { what: "a same-name tag", name: "Bo #b0b0", says: "must not end with # and a code" },
];

async function roomWithAdaAndBo() {
  const room = randomRoom();
  const { client: ada } = await RoomClient.join(room, "Ada");
  const { client: bo } = await RoomClient.join(room, "Bo");
  await ada.next("peer-joined");
  return { room, ada, bo };
}

describe("deceiving names", () => {
  for (const { what, name, says } of deceiving) {
    it(`refuses a name with ${what} in join, state and knock, and changes nothing`, async () => {
      const { room, ada, bo } = await roomWithAdaAndBo();

      const mallory = await RoomClient.connect(room);
      mallory.send({ type: "join", name });
      const joinError = await mallory.next("error");
      expect(joinError.code).toBe("bad-message");
      expect(joinError.message).toContain("`join`");
      expect(joinError.message).toContain("`name`");
      expect(joinError.message).toContain(says);

      bo.send({ type: "state", name });
      const stateError = await bo.next("error");
      expect(stateError.code).toBe("bad-message");
      expect(stateError.message).toContain(says);
      await ada.expectNothingPending();

      ada.send({ type: "lock", key: KEY });
      await ada.next("locked");
      await bo.next("locked");
      mallory.send({ type: "knock", name });
      const knockError = await mallory.next("error");
      expect(knockError.code).toBe("bad-message");
      expect(knockError.message).toContain(says);
      await ada.expectNothingPending();
      await bo.expectNothingPending();

      // Nobody was let in, renamed or announced: a newcomer with the key sees the same two people.
      const cy = await RoomClient.connect(room);
      cy.send({ type: "join", name: "Cy", key: KEY });
      const welcome = await cy.next("welcome");
      expect(welcome.peers.map((p) => p.name)).toEqual(["Ada", "Bo"]);
    });
  }

  it("takes names in any script, with emoji sequences, pronouns and Persian non-joiners", async () => {
    const { room, ada } = await roomWithAdaAndBo();
    const names = [
      "👩‍💻 Grace",
      "Ewan 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
      "❤️ Lin",
      "👨🏽‍🚀",
      "Ada (she/her)",
      "أحمد",
      "مهر\u200Cناز",
      "דוד",
      "李小龙",
      "Team #1",
    ];
    for (const name of names) {
      const { client } = await RoomClient.join(room, name);
      expect((await ada.next("peer-joined")).peer.name).toBe(name);
      client.close();
      await ada.next("peer-left");
    }
  });
});

describe("who did it, by peer id", () => {
  it("says which peer locked and unlocked the room, in the events and in a newcomer's welcome", async () => {
    const { room, ada, bo } = await roomWithAdaAndBo();
    ada.send({ type: "lock", key: KEY });
    expect(await bo.next("locked")).toEqual({ type: "locked", by: "Ada", byId: ada.id });
    expect(await ada.next("locked")).toEqual({ type: "locked", by: "Ada", byId: ada.id });

    const cy = await RoomClient.connect(room);
    cy.send({ type: "join", name: "Cy", key: KEY });
    expect((await cy.next("welcome")).lock).toEqual({ by: "Ada", byId: ada.id });

    bo.send({ type: "unlock" });
    expect(await ada.next("peer-joined")).toMatchObject({ peer: { name: "Cy" } });
    expect(await ada.next("unlocked")).toEqual({ type: "unlocked", by: "Bo", byId: bo.id });
  });

  it("tells a removed peer which of two people with the same name removed it", async () => {
    const room = randomRoom();
    const { client: alex1 } = await RoomClient.join(room, "Alex");
    const { client: alex2 } = await RoomClient.join(room, "Alex");
    const { client: cy } = await RoomClient.join(room, "Cy");
    alex2.send({ type: "kick", id: cy.id });
    expect(await cy.next("removed")).toEqual({ type: "removed", by: "Alex", byId: alex2.id });
    expect(alex2.id).not.toBe(alex1.id);
  });
});
