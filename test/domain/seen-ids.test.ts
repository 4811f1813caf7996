/** The remembered event ids by arrival day: dedupe, bounds, and which day rows a change touches. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DAY_MS, SeenIds } from "../../domain/seen-ids";

describe("seen ids", () => {
  it("remembers ids by the day they arrived, and marks only that day for writing", () => {
    const s = new SeenIds();
    s.add("a", 10 * DAY_MS + 5);
    s.add("b", 10 * DAY_MS + 6);
    expect([...s.dirty]).toEqual([10]);
    expect(s.has("a") && s.has("b") && !s.has("c")).toBe(true);
    expect(s.row(10)).toEqual(["a", "b"]);
  });

  it("forgets whole days past the horizon, then the oldest ids beyond the bound", () => {
    const s = new SeenIds();
    s.load(1, ["old1", "old2"]);
    s.load(5, ["m1", "m2", "m3"]);
    s.load(6, ["n1"]);
    s.forget(6 * DAY_MS, 2 * DAY_MS, 3);
    // Day 1 is past the horizon; then one id too many: the oldest of day 5.
    expect(s.has("old1")).toBe(false);
    expect(s.has("m1")).toBe(false);
    expect(s.size).toBe(3);
    expect(s.row(1)).toBeUndefined();
    expect(s.row(5)).toEqual(["m2", "m3"]);
    expect([...s.dirty].sort()).toEqual([1, 5]);
  });

  it("never holds more than the bound, and keeps every id younger than the horizon while under it", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 * DAY_MS }), { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (times, max) => {
        const s = new SeenIds();
        let now = 0;
        times.forEach((dt, i) => {
          now += dt % (2 * DAY_MS);
          s.add(`e${i}`, now);
          s.forget(now, 3 * DAY_MS, max);
          expect(s.size).toBeLessThanOrEqual(max);
          expect(s.has(`e${i}`)).toBe(true);
        });
      }),
    );
  });
});
