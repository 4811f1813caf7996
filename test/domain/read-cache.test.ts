/** The read-behind cache alone: LRU against a model, TTLs, negatives, bounds, single flight. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReadCache, type ReadCacheOptions } from "../../domain/read-cache";

function cache(over: Partial<ReadCacheOptions> = {}) {
  return new ReadCache<string>({
    maxEntries: 3,
    maxBytes: 1_000,
    softTtlMs: 10,
    hardTtlMs: 100,
    negativeTtlMs: 5,
    sizeOf: (_k, v) => 10 + ((v as string | null)?.length ?? 0),
    ...over,
  });
}

describe("read cache", () => {
  it("evicts the least recently used entry, counting a read as a use", () => {
    const c = cache();
    c.set("a", "1", 0);
    c.set("b", "2", 0);
    c.set("c", "3", 0);
    expect(c.peek("a", 1).outcome).toBe("hit");
    c.set("d", "4", 1);
    expect(c.peek("b", 1).outcome).toBe("miss");
    expect(["a", "c", "d"].map((k) => c.peek(k, 1).value)).toEqual(["1", "3", "4"]);
    expect(c.snapshot()).toMatchObject({ entries: 3, evictions: 1 });
  });

  it("keeps exactly the entries a least-recently-used model keeps, through any mix of writes, reads and deletes", () => {
    const keys = ["a", "b", "c", "d", "e", "f"];
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), key: fc.constantFrom(...keys), value: fc.string({ maxLength: 12 }) }),
      fc.record({ kind: fc.constant("peek" as const), key: fc.constantFrom(...keys) }),
      fc.record({ kind: fc.constant("delete" as const), key: fc.constantFrom(...keys) }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 10, max: 60 }),
        (ops, maxEntries, maxBytes) => {
          const c = cache({ maxEntries, maxBytes, softTtlMs: 1e9, hardTtlMs: 1e9 });
          // The model: entries oldest first; a read or a write makes an entry the newest.
          let model: { key: string; value: string }[] = [];
          const bytes = () => model.reduce((n, e) => n + 10 + e.value.length, 0);
          for (const o of ops) {
            const present = model.find((e) => e.key === o.key);
            model = model.filter((e) => e.key !== o.key);
            if (o.kind === "set") {
              c.set(o.key, o.value, 0);
              model.push({ key: o.key, value: o.value });
              while (model.length > maxEntries || bytes() > maxBytes) model.shift();
            } else if (o.kind === "peek") {
              expect(c.peek(o.key, 0)).toEqual(present ? { outcome: "hit", value: present.value } : { outcome: "miss", value: null });
              if (present) model.push(present);
            } else {
              c.delete(o.key);
            }
            expect(keys.map((k) => c.fallback(k) ?? null)).toEqual(keys.map((k) => model.find((e) => e.key === k)?.value ?? null));
            expect(c.snapshot()).toMatchObject({ entries: model.length, bytes: bytes() });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("serves an entry past its soft TTL as stale and drops it at the hard TTL", () => {
    const c = cache();
    c.set("a", "1", 0);
    expect(c.peek("a", 9)).toEqual({ outcome: "hit", value: "1" });
    expect(c.peek("a", 10)).toEqual({ outcome: "stale", value: "1" });
    expect(c.peek("a", 99).outcome).toBe("stale");
    expect(c.peek("a", 100)).toEqual({ outcome: "miss", value: null });
    expect(c.fallback("a")).toBe("1");
  });

  it("keeps negative entries with their own soft TTL", () => {
    const c = cache();
    c.set("nobody", null, 0);
    expect(c.peek("nobody", 4)).toEqual({ outcome: "hit", value: null });
    expect(c.peek("nobody", 5)).toEqual({ outcome: "stale", value: null });
  });

  it("bounds the bytes held, evicting the oldest first", () => {
    const c = cache({ maxEntries: 100, maxBytes: 50 });
    c.set("a", "x".repeat(20), 0);
    expect(c.snapshot().bytes).toBe(30);
    c.set("b", "y".repeat(20), 0);
    expect(c.peek("a", 0).outcome).toBe("miss");
    expect(c.snapshot()).toMatchObject({ entries: 1, bytes: 30 });
    c.set("b", "z", 0);
    expect(c.snapshot().bytes).toBe(11);
  });

  it("shares one load among concurrent callers and caches its result", async () => {
    const c = cache();
    let calls = 0;
    let release!: (v: string) => void;
    const loader = () => {
      calls++;
      return new Promise<string>((r) => (release = r));
    };
    const all = Promise.all([1, 2, 3].map(() => c.load("k", loader, () => 0)));
    expect(c.isLoading("k")).toBe(true);
    release("v");
    expect(await all).toEqual(["v", "v", "v"]);
    expect(calls).toBe(1);
    expect(c.isLoading("k")).toBe(false);
    expect(c.peek("k", 1).value).toBe("v");
  });

  it("does not let a load that started earlier overwrite a newer write", async () => {
    const c = cache();
    let release!: (v: string) => void;
    let t = 0;
    const p = c.load(
      "k",
      () => new Promise<string>((r) => (release = r)),
      () => t,
    );
    t = 5;
    c.set("k", "written", t);
    t = 6;
    release("old read");
    await p;
    expect(c.peek("k", 6).value).toBe("written");
  });

  it("does not cache a failed load", async () => {
    const c = cache();
    await expect(
      c.load(
        "k",
        () => Promise.reject(new Error("down")),
        () => 0,
      ),
    ).rejects.toThrow("down");
    expect(c.peek("k", 0).outcome).toBe("miss");
    expect(c.isLoading("k")).toBe(false);
  });

  it("keeps a tombstone until the hard TTL: late writes, offers and loads lose, and it is never refreshed", async () => {
    const c = cache();
    c.set("u", "profile", 0);
    let resolve: (v: string) => void = () => {};
    const late = c.load(
      "u",
      () => new Promise<string>((r) => (resolve = r)),
      () => 10,
    );
    c.seal("u", 5);
    resolve("profile");
    expect(await late).toBe("profile");
    c.set("u", "from an event answer", 6);
    c.offer("u", "from a read", 4, 7);
    // Past the negative and soft TTLs a tombstone is still a hit: a refresh could only read the stale store.
    expect(c.peek("u", 99)).toEqual({ outcome: "hit", value: null });
    expect(c.fallback("u")).toBeNull();
    // After the hard TTL it is an ordinary miss and takes values again.
    expect(c.peek("u", 105).outcome).toBe("miss");
    c.set("u", "new", 106);
    expect(c.peek("u", 106)).toEqual({ outcome: "hit", value: "new" });
  });
});
