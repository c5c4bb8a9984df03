/**
 * Chat in SFU mode (frontend/call/e2ee/sealed-chat.ts), with real WebCrypto: a frame sealed for
 * one member opens only with that pair's chat key, only as from its real sender, to its real
 * recipient and under its own number; a frame the room replays or reorders is dropped; and the
 * sealed message is a valid `{e2ee}` signal the room can relay but not read.
 */
import { describe, expect, it } from "vitest";
import { MAX_SEALED_CHAT_LENGTH, parseE2eeSignal } from "../../common/e2ee-signal";
import { parseClientMessage } from "../../common/parse-client-message";
import { encodeChat } from "../../frontend/call/chat-log";
import { createIdentityKey, pairwiseChatKey, pairwiseKey } from "../../frontend/call/e2ee/identity-key";
import { ChatSequences, openChat, sealChat } from "../../frontend/call/e2ee/sealed-chat";

async function pair() {
  const [ada, bo, eve] = await Promise.all([createIdentityKey(), createIdentityKey(), createIdentityKey()]);
  return {
    adaToBo: await pairwiseChatKey(ada, "a", { id: "b", publicKey: bo.publicKey }),
    boFromAda: await pairwiseChatKey(bo, "b", { id: "a", publicKey: ada.publicKey }),
    // Eve knows both ids and Bo's public key, not Ada's private key.
    eveAsAda: await pairwiseChatKey(eve, "a", { id: "b", publicKey: bo.publicKey }),
    boWrapKey: await pairwiseKey(bo, "b", { id: "a", publicKey: ada.publicKey }),
  };
}

describe("sealed chat", () => {
  it("opens for its recipient exactly as sent, and for no one else", async () => {
    const keys = await pair();
    const frame = encodeChat("Hello from the SFU call, ünïcødé 👋");
    const sealed = await sealChat(frame, keys.adaToBo, { from: "a", to: "b", seq: 0 });
    expect(sealed).not.toBeNull();
    expect(sealed?.box).not.toContain("Hello");
    expect(await openChat(sealed!, keys.boFromAda, { from: "a", to: "b" })).toBe(frame);
    expect(await openChat(sealed!, keys.eveAsAda, { from: "a", to: "b" })).toBeNull();
  });

  it("does not open when the room redirects it, renames its sender, renumbers it or changes a byte", async () => {
    const keys = await pair();
    const sealed = (await sealChat(encodeChat("hi"), keys.adaToBo, { from: "a", to: "b", seq: 3 }))!;
    expect(await openChat(sealed, keys.boFromAda, { from: "c", to: "b" })).toBeNull();
    expect(await openChat(sealed, keys.boFromAda, { from: "a", to: "c" })).toBeNull();
    expect(await openChat({ ...sealed, seq: 4 }, keys.boFromAda, { from: "a", to: "b" })).toBeNull();
    const flipped = `${sealed.box.slice(0, 5)}${sealed.box[5] === "A" ? "B" : "A"}${sealed.box.slice(6)}`;
    expect(await openChat({ ...sealed, box: flipped }, keys.boFromAda, { from: "a", to: "b" })).toBeNull();
  });

  it("uses a key of its own: the pair's key-wrapping key cannot open it", async () => {
    const keys = await pair();
    const sealed = (await sealChat(encodeChat("hi"), keys.adaToBo, { from: "a", to: "b", seq: 0 }))!;
    await expect(openChat(sealed, keys.boWrapKey, { from: "a", to: "b" })).resolves.toBeNull();
  });

  it("numbers each pair's frames and drops a replayed or reordered one", () => {
    const sequences = new ChatSequences();
    expect([sequences.next("b"), sequences.next("b"), sequences.next("c")]).toEqual([0, 1, 0]);
    expect(sequences.take("b", 0)).toBe(true);
    expect(sequences.take("b", 0)).toBe(false);
    expect(sequences.take("b", 2)).toBe(true);
    expect(sequences.take("b", 1)).toBe(false);
    sequences.forget("b");
    expect(sequences.take("b", 0)).toBe(true);
    expect(sequences.next("b")).toBe(0);
  });

  it("is a signal the room accepts and relays, up to the longest chat message, and no larger", async () => {
    const keys = await pair();
    // The longest frame we send: every character escaped (\u0001 is six characters in JSON).
    const longest = encodeChat("\u0001".repeat(2_000));
    expect(longest.length).toBeGreaterThan(12_000);
    const sealed = (await sealChat(longest, keys.adaToBo, { from: "a", to: "b", seq: 0 }))!;
    expect(parseE2eeSignal(sealed)).toEqual(sealed);
    const message = parseClientMessage(JSON.stringify({ type: "signal", to: "b".repeat(32), data: { e2ee: sealed } }));
    expect(message).toMatchObject({ ok: true });
    expect(await sealChat("x".repeat(MAX_SEALED_CHAT_LENGTH), keys.adaToBo, { from: "a", to: "b", seq: 1 })).toBeNull();
    expect(parseE2eeSignal({ ...sealed, box: "A".repeat(MAX_SEALED_CHAT_LENGTH + 1) })).toBeNull();
  });
});
