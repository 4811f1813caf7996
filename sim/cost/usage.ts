/** What a day of traffic does to each billed meter, from the inputs: the capacity figures, and monthly units per price. */
import type { CostInputs } from "./inputs";
import type { PriceKey } from "./prices";

/** Daily counts behind the bill, for the capacity table. */
export interface Daily {
  lookupRequests: number;
  eventRequests: number;
  /** Cookie matches and declared ids. */
  identityRequests: number;
  consumerInvocations: number;
  workersCpuMs: number;
  kvReads: number;
  kvWrites: number;
  objectCalls: number;
  doRequests: number;
  doGbSeconds: number;
  rowsRead: number;
  rowsWritten: number;
  queueMessages: number;
  r2ClassA: number;
  r2ClassB: number;
}

export interface Usage {
  daily: Daily;
  /** Stored bytes (averaged over the month). */
  stored: { kv: number; objects: number; r2: number };
  /** Monthly units of every metered line. */
  monthly: Record<PriceKey, number>;
}

const GB = 1e9;
/** Durable Objects bill duration for 128 MB per object. */
const DO_GB = 0.128;

export function usage(i: CostInputs): Usage {
  // Lookups: browsers one uid per request; S2S one uid, or batches through /v1/lookup.
  const batchedUids = i.lookupsPerDay * i.s2sShare * i.s2sBatchedShare;
  const singleLookups = i.lookupsPerDay - batchedUids;
  const batchRequests = batchedUids / i.uidsPerBatch;
  // An isolate miss or refresh reads the location's cache first; only what it lacks reads KV.
  const misses = i.lookupsPerDay * (1 - i.isolateHitRatio) * i.kvShareOfIsolateMisses;
  // Lookups by a partner's id read its alias too (cached in the isolate like profiles); pages read their map.
  const kvReads = misses * (1 + i.s2sShare * i.partnerLookupShare) + i.lookupsPerDay * i.pageMapReadsPerLookup;

  // Identity: a match is one object call, which writes (state row, alias, profile) only for a new id; an identify
  // is four object calls, six rows, two KV writes (the person's profile, the browser's deletion) and a log line.
  const newMatches = i.matchesPerDay * i.newMatchShare;
  const identityCalls = i.matchesPerDay + i.identifiesPerDay * 4;
  const identityRows = newMatches * 1 + i.identifiesPerDay * 6;
  const identityKvWrites = newMatches * 2 + i.identifiesPerDay * 2;

  // Events: one object call per request (shipped) or per event.
  const eventRequests = i.eventsPerDay / i.eventsPerRequest;
  const eventCalls = i.objectCallPerRequest ? eventRequests : i.eventsPerDay;
  const changes = eventCalls * i.profileChangeShare;
  const lapses = i.activeUsersPerDay * i.lapsesPerActiveUserPerDay;
  const alarms = i.activeUsersPerDay * i.alarmsPerActiveUserPerDay;
  const retries = eventCalls * i.eventRetryShare;

  // Batch sync: one object call per record, one queue message and one R2 read per slice.
  const slices = i.batchUsersPerDay / i.recordsPerSlice;
  const batchChanged = i.batchUsersPerDay * i.batchChangedShare;

  const publishes = (i.publishOnChangeOnly ? changes : eventCalls) + lapses + batchChanged + identityKvWrites;
  const objectCalls = eventCalls + retries + i.batchUsersPerDay + alarms + identityCalls;
  // The sync coordinator: one call per slice done.
  const doRequests = objectCalls + slices;
  const doGbSeconds = ((objectCalls * i.doWallMsPerCall + publishes * i.kvPutMs) / 1000) * DO_GB;

  // The object writes its state row per call, and today's remembered-ids row when a call brings new events;
  // each row written is read first. An object out of memory reads its rows once.
  const s = i.sql;
  const rowsWritten =
    (eventCalls + retries) * s.writtenPerEventCall +
    i.batchUsersPerDay * s.writtenPerStateCall +
    // An alarm stores the state when it changes something, and re-arms (a setAlarm is billed as one row).
    alarms * (s.writtenPerStateCall + 1) +
    identityRows;
  const rowsRead = rowsWritten * s.readPerWrittenRow + objectCalls * i.coldLoadShare * i.coldLoadRows;

  const logMessages = i.eventLog ? eventRequests + i.identifiesPerDay : 0;
  const queueMessages = slices + retries + logMessages;
  const consumerInvocations = slices / i.syncConsumerBatch + logMessages / i.logConsumerBatch + retries;
  const logObjects = i.eventLog ? i.eventsPerDay / i.eventsPerLogObject : 0;
  const r2ClassA = logObjects + i.batchUsersPerDay / i.recordsPerPart + 1;
  // A slice streams its part from the start: one GetObject each; the cron reads the manifest every 5 minutes.
  const r2ClassB = slices + 288;

  const workersCpuMs =
    singleLookups * i.cpuMsPerLookup +
    batchRequests * i.cpuMsPerBatchLookup +
    (eventRequests + i.matchesPerDay + i.identifiesPerDay) * i.cpuMsPerEventRequest +
    // Consumers: assumption, 0.02 ms per batch record and per event-log event handled.
    i.batchUsersPerDay * 0.02 +
    (i.eventLog ? i.eventsPerDay * 0.02 : 0);

  const daily: Daily = {
    lookupRequests: singleLookups + batchRequests,
    eventRequests,
    identityRequests: i.matchesPerDay + i.identifiesPerDay,
    consumerInvocations,
    workersCpuMs,
    kvReads,
    kvWrites: publishes,
    objectCalls,
    doRequests,
    doGbSeconds,
    rowsRead,
    rowsWritten,
    queueMessages,
    r2ClassA,
    r2ClassB,
  };
  const stored = {
    kv: i.usersWithRecord * i.recordBytes,
    objects: i.usersWithObject * i.objectBytes,
    r2:
      (i.eventLog ? i.eventsPerDay * i.logBytesPerEvent * i.logRetentionDays : 0) +
      i.batchUsersPerDay * i.partBytesPerRecord * i.partRetentionDays,
  };
  const m = i.daysPerMonth;
  return {
    daily,
    stored,
    monthly: {
      workersRequests: (daily.lookupRequests + eventRequests + daily.identityRequests + consumerInvocations + 288) * m,
      workersCpuMs: workersCpuMs * m,
      kvReads: kvReads * m,
      kvWrites: publishes * m,
      kvDeletes: 0,
      kvStorageGb: stored.kv / GB,
      doRequests: doRequests * m,
      doGbSeconds: doGbSeconds * m,
      doRowsRead: rowsRead * m,
      doRowsWritten: rowsWritten * m,
      doStorageGb: stored.objects / GB,
      // Each message is written, read and deleted once (all under 64 KB).
      queueOps: queueMessages * 3 * m,
      r2ClassA: r2ClassA * m,
      r2ClassB: r2ClassB * m,
      r2StorageGb: stored.r2 / GB,
    },
  };
}
