import { describe, expect, it } from "vitest";
import { SELF, speakerOf, stageOf, togglePin } from "../../frontend/components/stage";

const grace = { id: "a".repeat(32), screen: false };
const linus = { id: "b".repeat(32), screen: false };
const presenting = (peer: { id: string }) => ({ id: peer.id, screen: true });

describe("stageOf", () => {
  it("puts nobody on the stage when nobody is pinned or presenting", () => {
    expect(stageOf({ pinned: null, selfShown: true, peers: [grace, linus] })).toEqual({
      pinned: null,
      spotlight: null,
      tileCount: 3,
      spotlightLayout: false,
    });
  });

  it("puts the pinned person on the stage, ourselves included", () => {
    expect(stageOf({ pinned: linus.id, selfShown: true, peers: [grace, linus] })).toMatchObject({
      pinned: linus.id,
      spotlight: linus.id,
      spotlightLayout: true,
    });
    expect(stageOf({ pinned: SELF, selfShown: true, peers: [grace] })).toMatchObject({
      pinned: SELF,
      spotlight: SELF,
      spotlightLayout: true,
    });
  });

  it("puts whoever presents on the stage, the first of them if several do", () => {
    const stage = stageOf({ pinned: null, selfShown: true, peers: [grace, presenting(linus), presenting(grace)] });
    expect(stage.spotlight).toBe(linus.id);
    expect(stage.pinned).toBeNull();
    expect(stage.spotlightLayout).toBe(true);
  });

  it("lets a pin win over someone presenting", () => {
    const stage = stageOf({ pinned: grace.id, selfShown: true, peers: [grace, presenting(linus)] });
    expect(stage.spotlight).toBe(grace.id);
  });

  it("drops the pin of someone who left, and gives the stage back to whoever presents", () => {
    expect(stageOf({ pinned: linus.id, selfShown: true, peers: [grace] })).toMatchObject({
      pinned: null,
      spotlight: null,
    });
    expect(stageOf({ pinned: linus.id, selfShown: true, peers: [presenting(grace)] })).toMatchObject({
      pinned: null,
      spotlight: grace.id,
    });
  });

  it("drops our own pin while the self view is hidden, and counts only the tiles drawn", () => {
    const stage = stageOf({ pinned: SELF, selfShown: false, peers: [grace, linus] });
    expect(stage).toEqual({ pinned: null, spotlight: null, tileCount: 2, spotlightLayout: false });
  });

  it("keeps a lone tile in the plain grid even when it holds the stage", () => {
    expect(stageOf({ pinned: SELF, selfShown: true, peers: [] })).toEqual({
      pinned: SELF,
      spotlight: SELF,
      tileCount: 1,
      spotlightLayout: false,
    });
    expect(stageOf({ pinned: null, selfShown: false, peers: [presenting(grace)] })).toMatchObject({
      spotlight: grace.id,
      tileCount: 1,
      spotlightLayout: false,
    });
  });
});

describe("togglePin", () => {
  it("pins, moves the pin, and unpins the pinned tile", () => {
    expect(togglePin(null, grace.id)).toBe(grace.id);
    expect(togglePin(grace.id, linus.id)).toBe(linus.id);
    expect(togglePin(linus.id, linus.id)).toBeNull();
  });
});

describe("the speaker view", () => {
  const cy = { id: "c".repeat(32), screen: false };

  it("puts the speaker on the stage, but never over a pin or someone presenting", () => {
    const peers = [grace, linus, cy];
    expect(stageOf({ pinned: null, selfShown: true, peers, mode: "speaker", speaker: linus.id })).toEqual({
      pinned: null,
      spotlight: linus.id,
      tileCount: 4,
      spotlightLayout: true,
    });
    expect(stageOf({ pinned: cy.id, selfShown: true, peers, mode: "speaker", speaker: linus.id }).spotlight).toBe(
      cy.id,
    );
    const sharing = [grace, linus, presenting(cy)];
    expect(
      stageOf({ pinned: null, selfShown: true, peers: sharing, mode: "speaker", speaker: linus.id }).spotlight,
    ).toBe(cy.id);
  });

  it("leaves the grid alone, and ignores a speaker who left", () => {
    expect(
      stageOf({ pinned: null, selfShown: true, peers: [grace], mode: "grid", speaker: grace.id }).spotlight,
    ).toBeNull();
    expect(
      stageOf({ pinned: null, selfShown: true, peers: [grace], mode: "speaker", speaker: linus.id }).spotlight,
    ).toBeNull();
  });

  it("shows the loudest of the others, keeps the last one between sentences, and never shows us", () => {
    const peers = [grace, linus];
    expect(speakerOf(linus.id, grace.id, peers)).toBe(linus.id);
    expect(speakerOf(null, linus.id, peers)).toBe(linus.id);
    expect(speakerOf(SELF, linus.id, peers)).toBe(linus.id);
    expect(speakerOf(null, null, peers)).toBe(grace.id);
    expect(speakerOf(null, cy.id, peers)).toBe(grace.id);
    expect(speakerOf(null, null, [])).toBeNull();
  });
});
