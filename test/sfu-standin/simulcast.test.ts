/**
 * The stand-in's simulcast layer rule (tooling/sfu-standin/simulcast.ts), as Cloudflare's simulcast
 * page states it ("Quality control", https://developers.cloudflare.com/realtime/sfu/features/simulcast/):
 * the preferred RID when the publisher sends it; otherwise nothing with `ridNotAvailable: "none"`
 * (the default), or the next available RID in alphabetical priority with `"asciibetical"`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chooseLayer } from "../../tooling/sfu-standin/simulcast";

describe("simulcast layer choice", () => {
  it("takes the preferred RID whenever the publisher sends it", () => {
    expect(chooseLayer({ preferredRid: "h" }, ["f", "h", "q"])).toBe("h");
    expect(chooseLayer({ preferredRid: "q", ridNotAvailable: "asciibetical" }, ["q", "f"])).toBe("q");
  });

  it("selects no alternative by default when the preferred RID is missing", () => {
    expect(chooseLayer({ preferredRid: "f" }, ["h", "q"])).toBeUndefined();
    expect(chooseLayer({ preferredRid: "f", ridNotAvailable: "none" }, ["h", "q"])).toBeUndefined();
  });

  it("with asciibetical, steps down in priority first, and up only when nothing lower is sent", () => {
    const fallback = { ridNotAvailable: "asciibetical" } as const;
    expect(chooseLayer({ preferredRid: "f", ...fallback }, ["q", "h"])).toBe("h");
    expect(chooseLayer({ preferredRid: "h", ...fallback }, ["f", "q"])).toBe("q");
    expect(chooseLayer({ preferredRid: "q", ...fallback }, ["f", "h"])).toBe("h");
    expect(chooseLayer({ preferredRid: "h", ...fallback }, [])).toBeUndefined();
  });

  it("always answers one of the layers sent, or none only when none is sent", () => {
    const rid = fc.constantFrom("a", "f", "h", "m", "q", "z");
    fc.assert(
      fc.property(rid, fc.uniqueArray(rid), (preferredRid, available) => {
        const chosen = chooseLayer({ preferredRid, ridNotAvailable: "asciibetical" }, available);
        if (available.length === 0) expect(chosen).toBeUndefined();
        else expect(available).toContain(chosen);
      }),
    );
  });
});
