/**
 * What the user's object costs in SQLite per call, measured in workerd (`cursor.rowsRead` / `rowsWritten`,
 * which Durable Objects bill) by test/workers/object-storage-cost.test.ts with the demo rules. That test fails
 * when the object's storage pattern changes, so these figures and the cost model move together.
 */
export const OBJECT_SQL = {
  /** Every track() call: the `active` meta row, table and primary-key index. */
  writtenPerCall: 2,
  /** Every new event matching one rule pattern: its dedupe id (table, primary key, ts index) and one counter cell (table, key). */
  writtenPerEvent: 5,
  /** Each further rule pattern the event matches: one more counter cell. */
  writtenPerExtraPattern: 2,
  /** Every call re-writes the membership row of each real-time segment whose rule holds (to push its end later). */
  writtenPerQualifyingSegment: 2,
  /** A call that changes the profile and publishes: the `profile` and `published` meta rows. */
  writtenOnChange: 4,
  /** Every track() call reads this many rows besides the dedupe ids it counts. */
  readPerCall: 4,
  /** ... and it counts every remembered dedupe id (`SELECT COUNT(*) FROM seen`). */
  readPerRememberedId: 1,
  /** A batch record that changes the user's batch segments (batch, active, profile, published meta rows), plus writtenPerQualifyingSegment each. */
  writtenPerBatchApply: 8,
  /** The SQLite file of a user with a short history (schema, a few ids and counters). */
  bytesPerSmallObject: 45_056,
} as const;

/** Per-request CPU inside the isolate, from bench/results.json (`app_cost_us_per_request`, workerd on a 2.5 GHz Xeon). */
export const BENCH = {
  date: "2026-11-26",
  cpuUsCachedLookup: 121.1,
  cpuUsUnknownLookup: 110.1,
  cpuUsS2sLookup: 128.6,
  /** Zipf mix (1,000,000 users, s = 1, 20 % known), one isolate, 5 s: (hits + stale) / lookups. */
  zipfHitRatio: 0.4363,
  /** The best any cache could do on that run (first sight of a user is always a miss). */
  zipfBestHitRatio: 0.4364,
} as const;
