/** Runs one replication-lag scenario on a virtual clock: edges with real isolate caches, KV with propagation, users' objects, lookups. */
import type { Profile, SegmentRef } from "../../domain/profile-record";
import { EdgeLocation } from "./edge-location";
import { EventQueue } from "./event-queue";
import { KvModel } from "./kv-model";
import { LagTracker } from "./lag-tracker";
import { exponential, seeded, zipf } from "./random";
import { convergenceBoundMs, type LagScenario } from "./scenario";
import { type Summary, summarize } from "./stats";
import { UserObjects } from "./user-objects";

/** Why an outdated answer was outdated: the first tier, from the object outwards, still holding the old version. */
export type StaleCause = "unpublished" | "propagation" | "kv-cache" | "location-cache" | "isolate-cache";

export interface LagResult {
  convergence: {
    /** Seconds from a change until every location answers it (probe users). */
    everyEdgeS: Summary;
    /** Seconds from a change until one location answers it, over all locations. */
    perEdgeS: Summary;
    unconverged: number;
    boundS: number;
  };
  lookups: {
    total: number;
    stale: number;
    staleFraction: number;
    /** Seconds since the answered profile was superseded, over outdated answers. */
    staleAgeS: Summary;
    causes: Record<StaleCause, number>;
    /** Fresh and stale hits over all lookups (as the bench counts it). */
    hitRatio: number;
    /** KV reads (misses + background refreshes) per lookup: what KV bills. */
    kvReadsPerLookup: number;
  };
}

const uidOf = (u: number) => `u${u.toString(36).padStart(21, "0")}`;

export function simulate(s: LagScenario): LagResult {
  const random = seeded(s.seed);
  const total = s.users + s.probeUsers;
  const isProbe = (u: number) => u >= s.users;
  const known = Uint8Array.from({ length: total }, (_, u) => (isProbe(u) || random() < s.knownShare ? 1 : 0));
  const home = Int32Array.from({ length: total }, () => Math.floor(random() * s.locations));
  const uids = Array.from({ length: total }, (_, u) => uidOf(u));
  const segments: SegmentRef[] = Array.from({ length: s.segmentsPerProfile }, (_, i) => ({ id: String(100 + i), taxonomy: 4 }));
  const profiles = new Map<number, Profile>();
  const profileOf = (_u: number, version: number): Profile | null => {
    if (version === 0) return null;
    let p = profiles.get(version);
    if (!p) profiles.set(version, (p = { ts: version, segments }));
    return p;
  };

  const clock = new EventQueue();
  const kv = new KvModel({
    locations: s.locations,
    propagationMs: s.propagationMs,
    jitter: s.propagationJitter,
    cacheTtlMs: s.kvCacheTtlMs,
    seed: s.seed,
    initial: (u) => known[u]!,
  });
  const edges = Array.from(
    { length: s.locations },
    (_, l) => new EdgeLocation(l, s.isolatesPerLocation, s.cache, kv, profileOf, s.locationCacheTtlMs),
  );
  const objects = new UserObjects(total, (u) => known[u]!, s.publishIntervalMs, {
    publish: (u, version, now) => kv.write(u, version, home[u]!, now),
    alarm: (u, at) => clock.at(at, (now) => objects.alarm(u, now)),
  });
  /** changedAt.get(u)[v] = when version v was made. */
  const changedAt = new Map<number, number[]>();
  const tracker = new LagTracker(s.locations);
  const measuring = (now: number) => now >= s.warmupMs;

  const change = (u: number, now: number) => {
    const version = objects.change(u, now);
    let times = changedAt.get(u);
    if (!times) changedAt.set(u, (times = []));
    times[version] = now;
    if (random() < s.eventChangeShare)
      edges[home[u]!]!.writeThrough(Math.floor(random() * s.isolatesPerLocation), u, uids[u]!, version, now);
    if (isProbe(u)) tracker.change(u, version, now, measuring(now) && now <= s.durationMs - s.horizonMs);
  };

  const stats = {
    total: 0,
    stale: 0,
    hits: 0,
    kvReads: 0,
    ages: [] as number[],
    causes: { unpublished: 0, propagation: 0, "kv-cache": 0, "location-cache": 0, "isolate-cache": 0 },
  };
  const causeOf = (u: number, loc: number, answered: number, now: number): StaleCause => {
    if (objects.published[u]! <= answered) return "unpublished";
    if (kv.visible(u, loc, now) <= answered) return "propagation";
    const cached = kv.cachedAt(u, loc, now);
    if (cached !== undefined && cached <= answered) return "kv-cache";
    const shared = edges[loc]!.locationCached(u, now);
    return shared !== undefined && shared <= answered ? "location-cache" : "isolate-cache";
  };

  // The lookup workload.
  const lookupUser = zipf(s.users, s.zipfS, random);
  const lookupGap = 1000 / s.lookupsPerSecond;
  const lookup = (now: number) => {
    const u = lookupUser();
    const loc = random() < s.homeShare ? home[u]! : Math.floor(random() * s.locations);
    const a = edges[loc]!.lookup(Math.floor(random() * s.isolatesPerLocation), u, uids[u]!, now);
    if (measuring(now)) {
      stats.total++;
      if (a.outcome !== "miss") stats.hits++;
      if (a.kvRead) stats.kvReads++;
      if (a.version < objects.truth[u]!) {
        stats.stale++;
        stats.ages.push(now - changedAt.get(u)![a.version + 1]!);
        stats.causes[causeOf(u, loc, a.version, now)]++;
      }
    }
    clock.at(now + exponential(random, lookupGap), lookup);
  };
  clock.at(exponential(random, lookupGap), lookup);

  // Profile changes of workload users.
  if (s.changesPerSecond > 0) {
    const changeUser = zipf(s.users, s.changeZipfS, random);
    const changeGap = 1000 / s.changesPerSecond;
    const next = (now: number) => {
      change(changeUser(), now);
      clock.at(now + exponential(random, changeGap), next);
    };
    clock.at(exponential(random, changeGap), next);
  }

  // Probe users: changes, and a lookup at every isolate of every location every probeEveryMs.
  for (let u = s.users; u < total; u++) {
    const next = (now: number) => {
      change(u, now);
      clock.at(now + exponential(random, s.probeChangeEveryMs), next);
    };
    clock.at(exponential(random, s.probeChangeEveryMs), next);
    for (let loc = 0; loc < s.locations; loc++) {
      for (let iso = 0; iso < s.isolatesPerLocation; iso++) {
        const probe = (now: number) => {
          tracker.answer(u, loc, edges[loc]!.lookup(iso, u, uids[u]!, now).version, now);
          // Jittered gaps: with a fixed period every refresh would fall exactly on KV's cacheTtl cycle.
          clock.at(now + s.probeEveryMs * (0.5 + random()), probe);
        };
        clock.at(random() * s.probeEveryMs, probe);
      }
    }
  }

  clock.runUntil(s.durationMs);

  const lag = tracker.samples();
  const seconds = (xs: number[]) => xs.map((x) => x / 1000);
  return {
    convergence: {
      everyEdgeS: summarize(seconds(lag.everyEdge)),
      perEdgeS: summarize(seconds(lag.perEdge)),
      unconverged: lag.unconverged,
      boundS: convergenceBoundMs(s) / 1000,
    },
    lookups: {
      total: stats.total,
      stale: stats.stale,
      staleFraction: stats.total ? stats.stale / stats.total : 0,
      staleAgeS: summarize(seconds(stats.ages)),
      causes: stats.causes,
      hitRatio: stats.total ? stats.hits / stats.total : 0,
      kvReadsPerLookup: stats.total ? stats.kvReads / stats.total : 0,
    },
  };
}
