/** The cost model's arithmetic: allowances, the usage formulas that matter most, and splicing the doc. */
import { describe, expect, it } from "vitest";
import { ASSUMPTIONS } from "../../sim/cost/assumptions";
import { bill } from "../../sim/cost/bill";
import { BASELINE, type CostInputs, withBench } from "../../sim/cost/inputs";
import { benchFigures } from "../../sim/cost/measured";
import { charge, SUBSCRIPTION_USD } from "../../sim/cost/prices";
import { assumptionsTable, splice } from "../../sim/cost/report";
import { usage } from "../../sim/cost/usage";

const inputs = (over: Partial<CostInputs>): CostInputs => ({ ...BASELINE, ...over });

describe("the cost model", () => {
  it("charges nothing within the plan's allowance and the list price beyond it", () => {
    expect(charge("kvReads", 10_000_000)).toBe(0);
    expect(charge("kvReads", 12_000_000)).toBeCloseTo(1.0);
    expect(charge("doRowsWritten", 51_000_000)).toBeCloseTo(1.0);
  });

  it("reads KV for every lookup the isolate cache misses, beside partner aliases and page maps", () => {
    const only = { kvShareOfIsolateMisses: 1, partnerLookupShare: 0, pageMapReadsPerLookup: 0 };
    expect(usage(inputs({ ...only, isolateHitRatio: 0 })).daily.kvReads).toBe(80e9);
    expect(usage(inputs({ ...only, isolateHitRatio: 0.75 })).daily.kvReads).toBe(20e9);
    // A fifth of the bidders' half looks users up by a partner's id: an alias read beside each profile read missed.
    expect(usage(inputs({ ...only, isolateHitRatio: 0.75, partnerLookupShare: 0.2 })).daily.kvReads).toBeCloseTo(20e9 * 1.1);
    expect(usage(inputs({ ...only, isolateHitRatio: 0.75, pageMapReadsPerLookup: 0.01 })).daily.kvReads).toBeCloseTo(20e9 + 0.8e9);
  });

  it("counts identity: a request and an object call per match, writes only for new ids; four calls per declared id", () => {
    const none = usage(inputs({ matchesPerDay: 0, identifiesPerDay: 0 })).daily;
    const d = usage(inputs({ matchesPerDay: 1e9, newMatchShare: 0.1, identifiesPerDay: 0 })).daily;
    expect(d.identityRequests).toBe(1e9);
    expect(d.objectCalls - none.objectCalls).toBe(1e9);
    expect(d.kvWrites - none.kvWrites).toBeCloseTo(0.1e9 * 2);
    expect(d.rowsWritten - none.rowsWritten).toBeCloseTo(0.1e9);
    const i = usage(inputs({ matchesPerDay: 0, identifiesPerDay: 1e6 })).daily;
    expect(i.objectCalls - none.objectCalls).toBe(4e6);
  });

  it("makes one object call per event request, or per event when told so", () => {
    const perRequest = usage(inputs({ eventsPerRequest: 5 })).daily;
    const perEvent = usage(inputs({ eventsPerRequest: 5, objectCallPerRequest: false })).daily;
    expect(perRequest.eventRequests).toBe(1e9);
    expect(perEvent.objectCalls - perRequest.objectCalls).toBeCloseTo(4e9 * (1 + BASELINE.eventRetryShare));
  });

  it("writes KV on changes only, unless publishing after every call", () => {
    const onChange = usage(BASELINE).daily.kvWrites;
    const always = usage(inputs({ publishOnChangeOnly: false })).daily.kvWrites;
    expect(always - onChange).toBeCloseTo((5e9 / 3) * (1 - BASELINE.profileChangeShare));
  });

  it("sends batched S2S lookups as one request per batch", () => {
    const d = usage(inputs({ s2sBatchedShare: 1, uidsPerBatch: 100 })).daily;
    expect(d.lookupRequests).toBe(40e9 + 40e9 / 100);
    expect(d.kvReads).toBe(usage(BASELINE).daily.kvReads);
  });

  it("totals its lines and the subscription", () => {
    const b = bill(BASELINE);
    expect(b.totalUsd).toBeCloseTo(SUBSCRIPTION_USD + b.lines.reduce((n, l) => n + l.usd, 0));
    expect(b.totalUsd).toBeGreaterThan(0);
  });

  it("takes the fresh-hit ratio and the lookup CPU from a bench result, and nothing from an incomplete one", () => {
    const results = {
      date: "2026-12-01T10:00:00Z",
      lookup: { zipf_mix: { cache: { hits: 60, stale: 20, misses: 20 } }, app_cost_us_per_request: { "s2s-cached": 100 } },
    };
    expect(benchFigures(results)).toEqual({ date: "2026-12-01", freshHitRatio: 0.6, cpuUsS2sLookup: 100 });
    const batched = { ...results, lookup: { ...results.lookup, app_cost_us_per_request: { "s2s-cached": 100, "s2s-batch-100": 150 } } };
    expect(benchFigures(batched)).toMatchObject({ cpuUsBatch100: 150 });
    expect(withBench(benchFigures(batched)!).cpuMsPerBatchLookup).toBeCloseTo(0.15 * (BASELINE.uidsPerBatch / 100));
    expect(withBench(benchFigures(results)!).cpuMsPerBatchLookup).toBe(BASELINE.cpuMsPerBatchLookup);
    expect(benchFigures({ date: "2026-12-01", lookup: {} })).toBeUndefined();
    expect(benchFigures(null)).toBeUndefined();
  });

  it("prices each remaining assumption at both ends of its range, the widest swing first", () => {
    for (const a of ASSUMPTIONS) {
      expect(a.low, a.input).toBeLessThanOrEqual(BASELINE[a.input]);
      expect(a.high, a.input).toBeGreaterThanOrEqual(BASELINE[a.input]);
    }
    const text = assumptionsTable(BASELINE);
    const rows = text.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows).toHaveLength(ASSUMPTIONS.length);
    const swings = rows.map((r) => Number(r.split("|")[6]!.replace(/[$,\s]/g, "")));
    expect(swings).toEqual([...swings].sort((p, q) => q - p));
    const hit = ASSUMPTIONS.find((a) => a.input === "isolateHitRatio")!;
    const span = bill(inputs({ isolateHitRatio: hit.low })).totalUsd - bill(inputs({ isolateHitRatio: hit.high })).totalUsd;
    expect(swings[0]).toBe(Math.round(span));
    // The cheaper ends together cost less than the baseline, the dearer ones more.
    const [cheap, dear] = [...text.matchAll(/\*\*\$([\d,]+)\*\*/g)].map((m) => Number(m[1]!.replace(/,/g, "")));
    expect(cheap).toBeLessThan(bill(BASELINE).totalUsd);
    expect(dear).toBeGreaterThan(bill(BASELINE).totalUsd);
  });

  it("replaces the generated blocks of the doc and refuses a doc without them", () => {
    const doc = "a\n<!-- model:bill -->\nold\n<!-- /model:bill -->\nb";
    expect(splice(doc, { bill: "new" })).toBe("a\n<!-- model:bill -->\nnew\n<!-- /model:bill -->\nb");
    expect(() => splice("a", { bill: "new" })).toThrow(/model:bill/);
  });
});
