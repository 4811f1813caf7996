/**
 * The cost model's inputs: the target traffic, what the code fixes (imported), what was measured
 * (measured.ts), and assumptions, each marked. Change a number here and `npm run model:cost` redoes the tables.
 */
import { RECORDS_PER_SLICE } from "../../domain/sync-messages";
import { BENCH, type BenchFigures, type LocationFigures, NO_LOCATION_FIGURES, OBJECT_SQL } from "./measured";

export type ObjectSql = { [K in keyof typeof OBJECT_SQL]: number };

export interface CostInputs {
  daysPerMonth: number;
  // Lookups
  lookupsPerDay: number;
  /** Share of lookups from bidders and ad servers (S2S); the rest come from browsers. */
  s2sShare: number;
  /** Share of S2S lookups sent as `POST /v1/lookup` batches rather than one uid per request. */
  s2sBatchedShare: number;
  uidsPerBatch: number;
  /** Lookups answered from the isolate cache without a KV read (fresh hits). */
  isolateHitRatio: number;
  /** Of the isolate's misses and refreshes, the share the location's cache cannot answer, so KV is read (1: no location tier). */
  kvShareOfIsolateMisses: number;
  cpuMsPerLookup: number;
  cpuMsPerBatchLookup: number;
  /** KV reads of the batch origin's page map (`p:<url>`) per lookup: a page's map is read once per isolate per 5 minutes. */
  pageMapReadsPerLookup: number;
  /** Share of S2S lookups made by a partner's id: an alias read (`a:`) beside the profile's on an isolate miss. */
  partnerLookupShare: number;
  // Identity
  /** Cookie matches (`/v1/match`) a day: a Workers request and an object call each. */
  matchesPerDay: number;
  /** Matches that bring a new partner id (or one synced more than a day ago): a state row, an alias and a profile write. */
  newMatchShare: number;
  /** Declared ids (`/v1/identify`) a day: a request, four object calls (claim, adopt, merge, absorb). */
  identifiesPerDay: number;
  // Events
  eventsPerDay: number;
  eventsPerRequest: number;
  cpuMsPerEventRequest: number;
  /** Shipped: one object call per event request (all its events). false = one call per event. */
  objectCallPerRequest: boolean;
  /** Calls that find the object out of memory: its load() reads its rows once. */
  coldLoadShare: number;
  /** Rows such a load reads: the schema check and the state row (measured), plus one per day with remembered ids. */
  coldLoadRows: number;
  /** Event calls whose merged profile changes: one KV write each (the object publishes on change only). */
  profileChangeShare: number;
  /** Shipped: publish only on change. false = a KV write after every call. */
  publishOnChangeOnly: boolean;
  doWallMsPerCall: number;
  /** The object stays active (billed) while a publish awaits KV. */
  kvPutMs: number;
  activeUsersPerDay: number;
  alarmsPerActiveUserPerDay: number;
  /** Profile changes per active user and day made by alarms (lapses): a KV write each. */
  lapsesPerActiveUserPerDay: number;
  eventRetryShare: number;
  sql: ObjectSql;
  // Batch sync
  batchUsersPerDay: number;
  /** Batch records that change the user's segments (a KV write); the others still cost an object call. */
  batchChangedShare: number;
  recordsPerSlice: number;
  recordsPerPart: number;
  partBytesPerRecord: number;
  partRetentionDays: number;
  syncConsumerBatch: number;
  // Storage
  usersWithRecord: number;
  recordBytes: number;
  usersWithObject: number;
  objectBytes: number;
  // Raw event log (contract; not in the code yet): one queue message per event request, objects of many events.
  eventLog: boolean;
  eventsPerLogObject: number;
  logBytesPerEvent: number;
  logRetentionDays: number;
  logConsumerBatch: number;
}

/** Key `u:` + a 22-character uid; record `1|<13-digit ts>|4:` + 8 segments of 3-4 digits (README, Data formats). */
const RECORD_BYTES = 24 + (2 + 13 + 1 + 2) + 8 * 4.5;

export const BASELINE: CostInputs = {
  daysPerMonth: 30,
  lookupsPerDay: 80e9, // the design target
  s2sShare: 0.5, // assumption
  s2sBatchedShare: 0, // assumption: bidders ask one uid per request
  uidsPerBatch: 100,
  isolateHitRatio: BENCH.freshHitRatio, // measured (bench Zipf mix); see the sensitivity table
  kvShareOfIsolateMisses: NO_LOCATION_FIGURES.kvShareOfIsolateMisses, // measured by bench:location when its results exist (withBench)
  cpuMsPerLookup: BENCH.cpuUsS2sLookup / 1000, // measured, rounded up to the dearest lookup kind
  cpuMsPerBatchLookup: 2, // measured by the bench when its results exist (withBench); without them, an upper bound
  pageMapReadsPerLookup: 0.01, // assumption: pages are far fewer than users, and each isolate reads a page's map once in 5 min
  partnerLookupShare: 0.2, // assumption
  matchesPerDay: 2e9, // assumption: a few partner syncs per active user and day
  newMatchShare: 0.1, // assumption: partners re-sync the same id; only a new or day-old one writes
  identifiesPerDay: 50e6, // assumption: sign-ins on publishers that declare ids
  eventsPerDay: 5e9, // the design target
  eventsPerRequest: 3, // assumption: the tag sends a page's events in one beacon
  cpuMsPerEventRequest: 0.3, // assumption: the accept path is benched (0.08-0.14 ms), what runs after the object's answer is not
  objectCallPerRequest: true, // shipped (worker/events/routes.ts)
  coldLoadShare: 0.5, // assumption: objects are evicted between a user's page views
  coldLoadRows: OBJECT_SQL.readPerColdLoad + 10, // measured with one day of ids; assumption: ids on 10 more days
  profileChangeShare: 0.05, // assumption
  publishOnChangeOnly: true, // shipped (durable/user-profile.ts)
  doWallMsPerCall: 3, // assumption
  kvPutMs: 30, // assumption
  activeUsersPerDay: 500e6, // assumption: 10 events per active user
  alarmsPerActiveUserPerDay: 1, // assumption: lapses, deferred publishes, early re-arms
  lapsesPerActiveUserPerDay: 0.05, // assumption
  eventRetryShare: 0.001, // assumption
  sql: { ...OBJECT_SQL },
  batchUsersPerDay: 50e6, // assumption: "tens of millions refreshed daily"
  batchChangedShare: 0.3, // assumption
  recordsPerSlice: RECORDS_PER_SLICE,
  recordsPerPart: 1_000_000, // assumption: the data team's part size
  partBytesPerRecord: 40, // assumption: gzip NDJSON
  partRetentionDays: 7, // assumption
  syncConsumerBatch: 10, // wrangler.toml max_batch_size
  usersWithRecord: 400e6, // assumption: users with a live segment
  recordBytes: RECORD_BYTES,
  usersWithObject: 1e9, // assumption: users seen within the 400-day retention
  objectBytes: OBJECT_SQL.bytesPerSmallObject, // measured for a short history; more ids and counters add pages
  eventLog: true,
  eventsPerLogObject: 100_000, // assumption
  logBytesPerEvent: 60, // assumption: gzip NDJSON
  logRetentionDays: 90, // assumption
  logConsumerBatch: 100, // Queues' largest batch
};

/** The baseline with the benches' figures in place of the defaults (a later `npm run bench` or `bench:location` moves the model along). */
export function withBench(bench: BenchFigures, location: LocationFigures = NO_LOCATION_FIGURES): CostInputs {
  return {
    ...BASELINE,
    isolateHitRatio: bench.freshHitRatio,
    cpuMsPerLookup: bench.cpuUsS2sLookup / 1000,
    // A batch's CPU grows with its uids: the bench's batch of 100, scaled to the model's batch size.
    cpuMsPerBatchLookup: bench.cpuUsBatch100 ? (bench.cpuUsBatch100 / 1000) * (BASELINE.uidsPerBatch / 100) : BASELINE.cpuMsPerBatchLookup,
    kvShareOfIsolateMisses: location.kvShareOfIsolateMisses,
  };
}
