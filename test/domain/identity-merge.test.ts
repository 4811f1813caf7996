/** The merge of profiles that meet (a declared id joining browsers): order-free, grouping-free, and bounded, as batch and real-time merges are. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PARTNER_LINKS, type Mergeable, mergePartnerLinks, mergeProfiles } from "../../domain/identity/merge-profiles";

/** Batches expiring at or before this count as lapsed. */
const NOW = 20;
const SEGMENTS = ["806", "244", "607", "udn-engaged"];
const PARTNERS = ["ssp1", "dsp2", "p3"];

const counters = fc
  .array(
    fc.tuple(
      fc.constantFrom("v:auto", "v:sport", "p:sum"),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 9 })), { maxLength: 4 }),
    ),
    {
      maxLength: 3,
    },
  )
  .map((entries) => new Map(entries.map(([k, cells]) => [k, new Map(cells)])));

const mergeable: fc.Arbitrary<Mergeable> = fc.record({
  counters,
  memberships: fc.record({
    realtime: fc
      .array(fc.tuple(fc.constantFrom(...SEGMENTS), fc.integer({ min: 1, max: 100 })), { maxLength: 4 })
      .map((e) => new Map(e.map(([id, until]) => [id, { until, taxonomy: 4 }]))),
    batch: fc.record({
      segments: fc.uniqueArray(fc.constantFrom(...SEGMENTS), { maxLength: 3 }).map((ids) => ids.sort().map((id) => ({ id, taxonomy: 4 }))),
      expires: fc.integer({ min: 0, max: 100 }),
    }),
  }),
  batchVersion: fc.integer({ min: 0, max: 3 }),
  partners: fc
    .uniqueArray(
      fc.record({ partner: fc.constantFrom(...PARTNERS), puid: fc.constantFrom("a", "b", "c"), at: fc.integer({ min: 1, max: 50 }) }),
      {
        selector: (l) => l.partner,
        maxLength: 3,
      },
    )
    .map((links) => links.sort((x, y) => y.at - x.at || (x.partner < y.partner ? -1 : 1))),
  lastActive: fc.integer({ min: 0, max: 100 }),
});

/** A comparable form: maps as sorted entries. */
function plain(m: Mergeable) {
  const sorted = <T>(entries: [string | number, T][]) => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    counters: sorted([...m.counters].map(([k, cells]) => [k, sorted([...cells])])),
    realtime: sorted([...m.memberships.realtime]),
    batch: m.memberships.batch,
    batchVersion: m.batchVersion,
    partners: m.partners,
    lastActive: m.lastActive,
  };
}

describe("merging two profiles", () => {
  it("is commutative and associative, so the person's profile does not depend on which browser joins first", () => {
    fc.assert(
      fc.property(mergeable, mergeable, mergeable, (a, b, c) => {
        expect(plain(mergeProfiles(a, b, NOW))).toEqual(plain(mergeProfiles(b, a, NOW)));
        expect(plain(mergeProfiles(mergeProfiles(a, b, NOW), c, NOW))).toEqual(plain(mergeProfiles(a, mergeProfiles(b, c, NOW), NOW)));
      }),
      { numRuns: 300 },
    );
  });

  it("adds the evidence up: every counter cell is the sum of both sides", () => {
    fc.assert(
      fc.property(mergeable, mergeable, (a, b) => {
        const m = mergeProfiles(a, b, NOW);
        for (const [key, cells] of m.counters) {
          for (const [bucket, n] of cells)
            expect(n).toBe((a.counters.get(key)?.get(bucket) ?? 0) + (b.counters.get(key)?.get(bucket) ?? 0));
        }
      }),
    );
  });

  it("keeps the longer real-time membership and the newer batch version's segments (one version: their union)", () => {
    const base: Mergeable = {
      counters: new Map(),
      memberships: { realtime: new Map([["806", { until: 10 }]]), batch: { segments: [{ id: "607" }], expires: 50 } },
      batchVersion: 2,
      partners: [],
      lastActive: 1,
    };
    const other: Mergeable = {
      ...base,
      memberships: { realtime: new Map([["806", { until: 30 }]]), batch: { segments: [{ id: "243" }], expires: 70 } },
    };
    const same = mergeProfiles(base, other, NOW);
    expect(same.memberships.realtime.get("806")).toEqual({ until: 30 });
    expect(same.memberships.batch).toEqual({ segments: [{ id: "243" }, { id: "607" }], expires: 70 });
    const newer = mergeProfiles(
      base,
      {
        ...other,
        batchVersion: 3,
        memberships: { ...other.memberships, batch: { segments: [], expires: 0 } },
      },
      NOW,
    );
    expect(newer.batchVersion).toBe(3);
    expect(newer.memberships.batch).toEqual({ segments: [], expires: 0 });
    // A lapsed batch is not brought back by the other side's later expiry.
    const lapsed = mergeProfiles(
      { ...base, memberships: { ...base.memberships, batch: { segments: [{ id: "607" }], expires: NOW } } },
      other,
      NOW,
    );
    expect(lapsed.memberships.batch).toEqual({ segments: [{ id: "243" }], expires: 70 });
  });

  it("keeps each partner's most recently synced id, at most 16 partners, and says which ids lost", () => {
    const { links, dropped } = mergePartnerLinks(
      [{ partner: "ssp1", puid: "old", at: 1 }],
      [
        { partner: "ssp1", puid: "new", at: 2 },
        ...Array.from({ length: MAX_PARTNER_LINKS }, (_, i) => ({ partner: `p${i}`, puid: "x", at: 10 + i })),
      ],
    );
    expect(links).toHaveLength(MAX_PARTNER_LINKS);
    expect(links.some((l) => l.partner === "ssp1")).toBe(false);
    expect(dropped).toEqual([
      { partner: "ssp1", puid: "old", at: 1 },
      { partner: "ssp1", puid: "new", at: 2 },
    ]);
  });
});
