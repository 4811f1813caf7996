/** Design choices and assumptions that move the bill: each variant changes one thing from the baseline. */
import type { CostInputs } from "./inputs";

export interface Variant {
  name: string;
  /** "shipped" = what the code does today, "design" = a code change we could make, "traffic" = an assumption about the world. */
  kind: "shipped" | "design" | "traffic";
  inputs: CostInputs;
}

export function variants(base: CostInputs): Variant[] {
  const with_ = (over: Partial<CostInputs>): CostInputs => ({ ...base, ...over });
  const sql = (over: Partial<CostInputs["sql"]>): CostInputs => ({ ...base, sql: { ...base.sql, ...over } });
  return [
    { name: "no isolate cache: every lookup reads KV", kind: "shipped", inputs: with_({ isolateHitRatio: 0 }) },
    { name: "no location cache: every isolate miss reads KV", kind: "shipped", inputs: with_({ kvShareOfIsolateMisses: 1 }) },
    {
      name: "location cache answers 80 % of isolate misses (many isolates per location, auctions' fan-out)",
      kind: "traffic",
      inputs: with_({ kvShareOfIsolateMisses: 0.2 }),
    },
    {
      name: `isolate hit ratio 0.9 instead of the bench's ${base.isolateHitRatio.toFixed(2)}`,
      kind: "traffic",
      inputs: with_({ isolateHitRatio: 0.9 }),
    },
    { name: "publish after every object call, not only on change", kind: "shipped", inputs: with_({ publishOnChangeOnly: false }) },
    { name: "one object call per event, not per request", kind: "shipped", inputs: with_({ objectCallPerRequest: false }) },
    { name: "1 event per request (no batching in the tag)", kind: "traffic", inputs: with_({ eventsPerRequest: 1 }) },
    { name: "10 events per request", kind: "traffic", inputs: with_({ eventsPerRequest: 10 }) },
    {
      // Measured before the state row: 2 per call, 5 per new event, 2 per further pattern, 2 per holding segment, 4 on change.
      name: "object stores a row per event id, counter cell and membership (the earlier layout: ~24 rows per event call)",
      kind: "shipped",
      inputs: sql({ writtenPerEventCall: 24, writtenPerStateCall: 8 }),
    },
    { name: "bidders batch S2S lookups, 100 uids per request", kind: "traffic", inputs: with_({ s2sBatchedShare: 1 }) },
    { name: "no raw event log", kind: "design", inputs: with_({ eventLog: false }) },
    {
      name: "no identity traffic (no matches, no declared ids)",
      kind: "traffic",
      inputs: with_({ matchesPerDay: 0, identifiesPerDay: 0 }),
    },
    { name: "page maps read 10× as often (0.1 per lookup)", kind: "traffic", inputs: with_({ pageMapReadsPerLookup: 0.1 }) },
  ];
}

/** The sensitivity sweeps: one input over a range, everything else at the baseline. */
export function sweeps(base: CostInputs): { input: keyof CostInputs; label: string; values: number[] }[] {
  return [
    { input: "isolateHitRatio", label: "isolate hit ratio", values: [0, 0.25, base.isolateHitRatio, 0.6, 0.8, 0.9, 0.95] },
    { input: "kvShareOfIsolateMisses", label: "share of isolate misses that read KV", values: [1, 0.8, 0.5, 0.3, 0.2, 0.1] },
    { input: "s2sBatchedShare", label: "share of bidders' lookups sent in batches of 100", values: [0, 0.25, 0.5, 0.75, 1] },
    { input: "eventsPerRequest", label: "events per request", values: [1, 2, 3, 5, 10, 20] },
    { input: "profileChangeShare", label: "event calls that change the profile", values: [0.01, 0.05, 0.2, 0.5] },
  ];
}
