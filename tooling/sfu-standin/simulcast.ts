/**
 * Which simulcast layer a subscriber gets, as Cloudflare's simulcast page describes it ("Quality
 * control"): `preferredRid` if the publisher sends it; otherwise, with `ridNotAvailable:
 * "asciibetical"`, the next RID in alphabetical priority (`a` most desirable) that is available,
 * going down from the preferred one first; with `none`, no layer at all. Pure, so the rule is
 * tested on its own (test/sfu-standin/simulcast.test.ts).
 *
 * `priorityOrdering` (switching down under bandwidth pressure) is accepted and echoed but not
 * imitated: the stand-in runs on loopback, where there is no bandwidth to run out of.
 */
import * as v from "valibot";

export const Simulcast = v.object({
  preferredRid: v.pipe(v.string(), v.minLength(1), v.maxLength(16)),
  priorityOrdering: v.optional(v.picklist(["none", "asciibetical"])),
  ridNotAvailable: v.optional(v.picklist(["none", "asciibetical"])),
});
export type Simulcast = v.InferOutput<typeof Simulcast>;

/** The layer to forward, given the RIDs the publisher sends now; undefined: none of them. */
export function chooseLayer(preference: Simulcast, available: readonly string[]): string | undefined {
  if (available.includes(preference.preferredRid)) return preference.preferredRid;
  if ((preference.ridNotAvailable ?? "none") === "none") return undefined;
  const sorted = [...available].sort();
  const lower = sorted.find((rid) => rid > preference.preferredRid);
  return lower ?? sorted.filter((rid) => rid < preference.preferredRid).at(-1);
}
