/** What this isolate has seen since it started: request and cache counters for `/v1/admin/stats`. */
import { verifiedMemo } from "../identity/browser-id";
import { profileCache } from "../lookup/profile-lookup";

/** Set by the first request: at module load a Worker's clock still reads 0. */
let startedAt = 0;
const counts = { requests: 0, lookups: 0, degraded: 0 };

export function recordRequest(cacheOutcome: string, degraded: boolean): void {
  if (!startedAt) startedAt = Date.now();
  counts.requests++;
  if (cacheOutcome !== "none") counts.lookups++;
  if (degraded) counts.degraded++;
}

export function isolateStats() {
  const cache = profileCache.snapshot();
  const served = cache.hits + cache.stale;
  const looked = served + cache.misses;
  return {
    startedAt,
    ...counts,
    verifiedCookies: { entries: verifiedMemo.size(), maxEntries: verifiedMemo.maxEntries },
    cache: {
      ...cache,
      maxEntries: profileCache.options.maxEntries,
      maxBytes: profileCache.options.maxBytes,
      hitRatio: looked ? +(served / looked).toFixed(4) : null,
    },
  };
}
