/** The bounded first-in-first-out memo: oldest out first, one place per key, a shrinking bound. */
import { describe, expect, it } from "vitest";
import { FifoMemo } from "../../domain/fifo-memo";

describe("first-in-first-out memo", () => {
  it("drops the oldest first, and a key set again while held keeps its place rather than taking a second one", () => {
    const m = new FifoMemo<number>(3);
    for (const k of ["a", "b", "a", "c"]) m.set(k, 1);
    expect(m.size()).toBe(3);
    m.set("d", 1); // drops a
    m.set("a", 2); // drops b; a comes back as the newest
    m.set("e", 3); // drops c, the oldest: not the a that just came back
    expect(["a", "b", "c", "d", "e"].map((k) => m.get(k))).toEqual([2, undefined, undefined, 1, 3]);
  });

  it("keeps the newest through thousands of drops, and after its bound shrinks", () => {
    const m = new FifoMemo<number>(5);
    for (let i = 0; i < 3_000; i++) m.set(`k${i}`, i);
    expect(Array.from({ length: 3_000 }, (_, i) => m.get(`k${i}`)).filter((v) => v !== undefined)).toEqual([2995, 2996, 2997, 2998, 2999]);
    m.maxEntries = 2;
    m.set("last", -1);
    expect(m.size()).toBe(2);
    expect([m.get("k2999"), m.get("k2998"), m.get("last")]).toEqual([2999, undefined, -1]);
    m.clear();
    expect(m.size()).toBe(0);
  });
});
