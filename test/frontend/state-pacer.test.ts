/** Our media state under the room's budget for it: a burst at once, then paced, the latest always last. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { STATE_BURST, STATE_PER_SECOND, StatePacer } from "../../frontend/call/state-pacer";

describe("the state pacer", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends a burst at once, then holds only the latest until a token is back", () => {
    const sent: number[] = [];
    const pacer = new StatePacer<number>(
      (n) => sent.push(n),
      () => Date.now(),
    );
    for (let i = 0; i < STATE_BURST + 5; i++) pacer.send(i);
    // Space tapped fast: the first burst goes, the rest collapses into the last state.
    expect(sent).toEqual([...Array(STATE_BURST).keys()]);
    vi.advanceTimersByTime(Math.ceil(1000 / STATE_PER_SECOND));
    expect(sent.at(-1)).toBe(STATE_BURST + 4);
    expect(sent).toHaveLength(STATE_BURST + 1);
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(STATE_BURST + 1);
  });

  it("never sends faster than the room refills, however long it is pressed", () => {
    const sent: number[] = [];
    const pacer = new StatePacer<number>(
      (n) => sent.push(n),
      () => Date.now(),
    );
    for (let ms = 0; ms < 20_000; ms += 100) {
      pacer.send(ms);
      vi.advanceTimersByTime(100);
    }
    vi.advanceTimersByTime(1_000);
    // The room's bucket: 10 at once, 2 a second.
    expect(sent.length).toBeLessThanOrEqual(10 + 2 * 21);
    expect(sent.at(-1), "the last state got through").toBe(19_900);
  });

  it("forgets what waits when reset", () => {
    const sent: number[] = [];
    const pacer = new StatePacer<number>(
      (n) => sent.push(n),
      () => Date.now(),
    );
    for (let i = 0; i <= STATE_BURST; i++) pacer.send(i);
    pacer.reset();
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(STATE_BURST);
  });
});
