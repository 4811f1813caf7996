/**
 * What the user's object costs in SQLite per call, measured in workerd (`cursor.rowsRead` / `rowsWritten`,
 * which Durable Objects bill) by test/durable/object-storage-cost.test.ts with the demo rules. That test fails
 * when the object's storage pattern changes, so these figures and the cost model move together.
 */
export const OBJECT_SQL = {
  /** A track() call with new events, however many: the state row and today's remembered-ids row. */
  writtenPerEventCall: 2,
  /** A call that stores the state row alone: known events redelivered, a batch record, an alarm that changes something. */
  writtenPerStateCall: 1,
  /** Each row written is read first (INSERT OR REPLACE); a call on an object in memory reads nothing else. */
  readPerWrittenRow: 1,
  /** A call on an object out of memory reads the schema check and its rows (state, one remembered-ids day) once. */
  readPerColdLoad: 5,
  /** The SQLite file of a user with a short history. */
  bytesPerSmallObject: 16_384,
} as const;

export interface BenchFigures {
  date: string;
  /** Lookups answered by a fresh isolate hit, so without a KV read (Zipf mix: 1,000,000 users, s = 1, 20 % known). */
  freshHitRatio: number;
  /** The app's own CPU per cached S2S lookup inside workerd (`app_cost_us_per_request`). */
  cpuUsS2sLookup: number;
  /** The same for a `POST /v1/lookup` of 100 cached uids, when benched. */
  cpuUsBatch100?: number;
}

/** bench/results.json of 2026-11-26 (one isolate, 5 s; its best possible hit ratio was 0.4364): used when the file is absent. */
export const BENCH: BenchFigures = { date: "2026-11-26", freshHitRatio: 0.4363, cpuUsS2sLookup: 128.6 };

/** The figures of a bench/results.json, or undefined when it lacks them. */
export function benchFigures(results: unknown): BenchFigures | undefined {
  const r = results as {
    date?: unknown;
    lookup?: { zipf_mix?: { cache?: Record<string, unknown> }; app_cost_us_per_request?: Record<string, unknown> };
  };
  const c = r?.lookup?.zipf_mix?.cache;
  const cpu = r?.lookup?.app_cost_us_per_request?.["s2s-cached"];
  const batch = r?.lookup?.app_cost_us_per_request?.["s2s-batch-100"];
  if (!c || typeof r.date !== "string" || typeof cpu !== "number") return undefined;
  const [hits, stale, misses] = [c.hits, c.stale, c.misses];
  if (typeof hits !== "number" || typeof stale !== "number" || typeof misses !== "number" || hits + stale + misses === 0) return undefined;
  // A stale hit answers at once but refreshes from KV: for KV reads only fresh hits count.
  const figures: BenchFigures = { date: r.date.slice(0, 10), freshHitRatio: hits / (hits + stale + misses), cpuUsS2sLookup: cpu };
  return typeof batch === "number" ? { ...figures, cpuUsBatch100: batch } : figures;
}

export interface LocationFigures {
  date: string;
  isolates: number;
  /** KV reads with the location's cache over those without it, same lookups and pace: the share of isolate misses that still reach KV. */
  kvShareOfIsolateMisses: number;
}

/** Without bench/location-results.json: every isolate miss reads KV, as without the tier. */
export const NO_LOCATION_FIGURES: LocationFigures = { date: "", isolates: 1, kvShareOfIsolateMisses: 1 };

/** The figures of a bench/location-results.json (`npm run bench:location`): the run with the most isolates. */
export function locationFigures(results: unknown): LocationFigures | undefined {
  const r = results as { date?: unknown; rows?: { isolates: number; locationCacheS: number; kvReads: number }[] };
  if (typeof r?.date !== "string" || !Array.isArray(r.rows)) return undefined;
  const most = Math.max(...r.rows.map((x) => x.isolates));
  const off = r.rows.find((x) => x.isolates === most && x.locationCacheS === 0);
  const on = r.rows.find((x) => x.isolates === most && x.locationCacheS > 0);
  if (!off || !on || off.kvReads === 0) return undefined;
  return { date: r.date.slice(0, 10), isolates: most, kvShareOfIsolateMisses: +(on.kvReads / off.kvReads).toFixed(4) };
}
