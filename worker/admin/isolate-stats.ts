/** What this isolate has seen since it started, for `/v1/admin/stats`: request counters, the caches and the cookie memo. */
import { contextCache, counters, profileCache, verifiedCookies } from "../isolate";

export function isolateStats() {
  const cache = profileCache.snapshot();
  const served = cache.hits + cache.stale;
  const looked = served + cache.misses;
  return {
    ...counters,
    verifiedCookies: { entries: verifiedCookies.size(), maxEntries: verifiedCookies.maxEntries },
    cache: {
      ...cache,
      maxEntries: profileCache.options.maxEntries,
      maxBytes: profileCache.options.maxBytes,
      hitRatio: looked ? +(served / looked).toFixed(4) : null,
    },
    contextCache: { ...contextCache.snapshot(), maxEntries: contextCache.options.maxEntries, maxBytes: contextCache.options.maxBytes },
  };
}
