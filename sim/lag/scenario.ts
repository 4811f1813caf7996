/** The inputs of one replication-lag run, defaulting to the settings the service ships. */
import type { ReadCacheOptions } from "../../domain/read-cache";
import { PUBLISH_INTERVAL_MS } from "../../durable/publish-interval";
import { profileCache } from "../../worker/isolate";
import { LOCATION_CACHE_DEFAULT_S } from "../../worker/lookup/location-cache";
import { KV_CACHE_TTL_S } from "../../worker/lookup/profile-lookup";

export interface LagScenario {
  seed: number;
  /** Virtual time simulated, warm-up included. */
  durationMs: number;
  /** Nothing is measured before this: caches fill first. */
  warmupMs: number;
  /** Changes in the last `horizonMs` are not measured: they may not have had time to reach every edge. */
  horizonMs: number;
  locations: number;
  isolatesPerLocation: number;
  /** KV propagation delay to locations other than the writer's. */
  propagationMs: number;
  /** Delays are uniform in propagationMs × [1 - jitter, 1 + jitter] per write and location. */
  propagationJitter: number;
  kvCacheTtlMs: number;
  /** The location's cache between the isolates and KV (shipped: LOCATION_CACHE_S); 0: none. */
  locationCacheTtlMs: number;
  /** The isolate cache's settings (shipped: `profileCache.options`). */
  cache: ReadCacheOptions;
  /** Shipped: `PUBLISH_INTERVAL_MS` of the user's object. */
  publishIntervalMs: number;
  /** The lookup workload: users ranked by popularity, Zipf with exponent zipfS. */
  users: number;
  zipfS: number;
  /** Users with a KV record at the start; the others' first change creates it (negative caching matters). */
  knownShare: number;
  segmentsPerProfile: number;
  lookupsPerSecond: number;
  /** Share of a user's lookups made at the user's home location (the browser's); the rest anywhere (bidders). */
  homeShare: number;
  /** Profile changes over all users; the user is drawn Zipf with exponent changeZipfS (0 = uniform). */
  changesPerSecond: number;
  changeZipfS: number;
  /** Share of changes caused by the user's own events: those are written through to the home isolate. */
  eventChangeShare: number;
  /** Probe users: looked up at every isolate of every location, gaps uniform in probeEveryMs × [0.5, 1.5], to time convergence. */
  probeUsers: number;
  probeEveryMs: number;
  /** Mean time between a probe user's changes (Poisson). */
  probeChangeEveryMs: number;
}

const MINUTE = 60_000;

export function shippedScenario(overrides: Partial<LagScenario> = {}): LagScenario {
  return {
    seed: 1,
    durationMs: 40 * MINUTE,
    warmupMs: 8 * MINUTE,
    horizonMs: 8 * MINUTE,
    locations: 8,
    isolatesPerLocation: 2,
    propagationMs: 60_000,
    propagationJitter: 0.5,
    kvCacheTtlMs: KV_CACHE_TTL_S * 1000,
    locationCacheTtlMs: LOCATION_CACHE_DEFAULT_S * 1000,
    cache: profileCache.options,
    publishIntervalMs: PUBLISH_INTERVAL_MS,
    users: 100_000,
    zipfS: 1,
    knownShare: 0.2,
    segmentsPerProfile: 8,
    lookupsPerSecond: 150,
    homeShare: 0.5,
    changesPerSecond: 3,
    changeZipfS: 0,
    eventChangeShare: 0.5,
    probeUsers: 24,
    probeEveryMs: 1_000,
    probeChangeEveryMs: 150_000,
    ...overrides,
  };
}

/**
 * The latest a probed change can be seen everywhere: published within one publish interval, at every
 * location after the longest propagation delay, out of KV's edge cache within cacheTtl, then out of the location's
 * cache within its TTL (an entry put from KV's edge cache just before that lasts one more TTL); an isolate entry
 * read just before that stays fresh for the soft TTL, the next lookup serves it stale and refreshes, and
 * the lookup after that answers the change (two probe gaps, each at most 1.5 × probeEveryMs).
 */
export function convergenceBoundMs(s: LagScenario): number {
  return (
    s.publishIntervalMs +
    s.propagationMs * (1 + s.propagationJitter) +
    s.kvCacheTtlMs +
    s.locationCacheTtlMs +
    s.cache.softTtlMs +
    3 * s.probeEveryMs
  );
}
