/** The replication-lag simulator's parts: KV propagation and edge cache, the objects' publish coalescing, write-through. */
import { describe, expect, it } from "vitest";
import { EdgeLocation } from "../../sim/lag/edge-location";
import { KvModel } from "../../sim/lag/kv-model";
import { UserObjects } from "../../sim/lag/user-objects";
import { profileCache } from "../../worker/isolate";

const kvOptions = { locations: 3, propagationMs: 60_000, jitter: 0, cacheTtlMs: 30_000, seed: 1, initial: () => 1 };
const profileOf = (_key: number, version: number) => (version ? { ts: version, segments: [{ id: "1" }] } : null);

describe("the KV model", () => {
  it("shows a write at once where it was made and elsewhere after the propagation delay", () => {
    const kv = new KvModel(kvOptions);
    kv.write(7, 2, 0, 1_000);
    expect(kv.read(7, 0, 1_000)).toBe(2);
    expect(kv.visible(7, 1, 60_999)).toBe(1);
    expect(kv.visible(7, 1, 61_000)).toBe(2);
  });

  it("serves a location's cached copy until cacheTtl even after the write arrived", () => {
    const kv = new KvModel(kvOptions);
    expect(kv.read(7, 1, 50_000)).toBe(1);
    kv.write(7, 2, 0, 0);
    expect(kv.read(7, 1, 79_999)).toBe(1);
    expect(kv.read(7, 1, 80_000)).toBe(2);
    expect(kv.reads).toBe(3);
    expect(kv.edgeHits).toBe(1);
  });

  it("caches 'not found' like any value", () => {
    const kv = new KvModel({ ...kvOptions, propagationMs: 0, initial: () => 0 });
    expect(kv.read(7, 1, 0)).toBe(0);
    kv.write(7, 1, 0, 1);
    expect(kv.read(7, 1, 29_999)).toBe(0);
    expect(kv.read(7, 1, 30_000)).toBe(1);
  });

  it("keeps the newest write once both arrived, whatever order they arrived in", () => {
    const kv = new KvModel({ ...kvOptions, jitter: 0.9, cacheTtlMs: 0 });
    kv.write(7, 2, 0, 0);
    kv.write(7, 3, 0, 1);
    expect(kv.read(7, 2, 200_000)).toBe(3);
  });
});

describe("an edge location", () => {
  it("answers from the real isolate cache: fresh, then stale while refreshing, then the refreshed value", () => {
    const kv = new KvModel({ ...kvOptions, propagationMs: 0, cacheTtlMs: 0 });
    const edge = new EdgeLocation(1, 1, profileCache.options, kv, profileOf, 0);
    expect(edge.lookup(0, 7, "u7", 0)).toEqual({ version: 1, outcome: "miss", kvRead: true });
    kv.write(7, 2, 0, 1);
    expect(edge.lookup(0, 7, "u7", 14_999)).toEqual({ version: 1, outcome: "hit", kvRead: false });
    expect(edge.lookup(0, 7, "u7", 15_000)).toEqual({ version: 1, outcome: "stale", kvRead: true });
    expect(edge.lookup(0, 7, "u7", 15_001)).toEqual({ version: 2, outcome: "hit", kvRead: false });
    expect(edge.kvReads).toBe(2);
  });

  it("shares one KV read among the location's isolates while the location's entry lasts", () => {
    const kv = new KvModel({ ...kvOptions, propagationMs: 0, cacheTtlMs: 0 });
    const edge = new EdgeLocation(1, 2, profileCache.options, kv, profileOf, 30_000);
    expect(edge.lookup(0, 7, "u7", 0)).toMatchObject({ version: 1, kvRead: true });
    kv.write(7, 2, 0, 1);
    // The other isolate misses its own cache, and the location answers: the older version, no KV read.
    expect(edge.lookup(1, 7, "u7", 10)).toEqual({ version: 1, outcome: "miss", kvRead: false });
    expect(edge.kvReads).toBe(1);
    // Past the location's TTL a refresh reads KV again.
    expect(edge.lookup(1, 7, "u7", 30_010)).toMatchObject({ outcome: "stale", kvRead: true });
    expect(edge.lookup(1, 7, "u7", 30_011).version).toBe(2);
  });

  it("answers a write-through at once in that isolate, and in the others through the location's cache", () => {
    const kv = new KvModel(kvOptions);
    const edge = new EdgeLocation(0, 2, profileCache.options, kv, profileOf, 30_000);
    edge.lookup(0, 7, "u7", 0);
    edge.lookup(1, 7, "u7", 0);
    edge.writeThrough(0, 7, "u7", 2, 10);
    expect(edge.lookup(0, 7, "u7", 11).version).toBe(2);
    // The other isolate's entry is still fresh: it answers the old version until its soft TTL.
    expect(edge.lookup(1, 7, "u7", 11).version).toBe(1);
    expect(edge.lookup(1, 7, "u7", 15_000).version).toBe(1);
    expect(edge.lookup(1, 7, "u7", 15_001).version).toBe(2);
  });
});

describe("the users' objects", () => {
  it("publish a change at once, and changes within the interval once, at the alarm", () => {
    const published: [number, number][] = [];
    const alarms: number[] = [];
    const objects = new UserObjects(1, () => 1, 1_000, {
      publish: (_u, v, now) => published.push([v, now]),
      alarm: (_u, at) => alarms.push(at),
    });
    objects.change(0, 5_000);
    objects.change(0, 5_200);
    objects.change(0, 5_400);
    expect(published).toEqual([[2, 5_000]]);
    expect(alarms).toEqual([6_000]);
    objects.alarm(0, 6_000);
    expect(published).toEqual([
      [2, 5_000],
      [4, 6_000],
    ]);
    expect(objects.published[0]).toBe(4);
  });
});
