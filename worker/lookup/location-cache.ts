/**
 * The location's cache (the Cache API's `caches.default`) between this isolate's cache and KV: shared by every isolate
 * of one Cloudflare location, and not billed per read as KV is. It holds KV's record text (or its absence) for at most
 * LOCATION_CACHE_S, no longer than KV's own edge cache keeps a read. It works on a custom domain; on `workers.dev`
 * its calls do nothing and every miss goes to KV, as without it.
 */
import { profileKey } from "../../domain/profile-record";

/** LOCATION_CACHE_S when unset: KV's own edge cache lifetime (`KV_CACHE_TTL_S`), so the tier adds at most that. */
export const LOCATION_CACHE_DEFAULT_S = 30;

/** Marks a cached absence: KV had no record for the user. */
const ABSENT = "X-Udn-Absent";

/** The cache key: a URL under the request's own host (another host would cost a DNS lookup), never served to anyone. */
function keyOf(requestUrl: string, uid: string): string {
  const origin = requestUrl.slice(0, requestUrl.indexOf("/", requestUrl.indexOf("//") + 2));
  return `${origin}/__udn/location-cache/${encodeURIComponent(profileKey(uid))}`;
}

/**
 * The record text cached in this location (null: known absent), or undefined when the location has no entry.
 * @param ttl LOCATION_CACHE_S (settings.ts); 0: the tier is off
 */
export async function locationGet(ttl: number, requestUrl: string, uid: string): Promise<string | null | undefined> {
  if (!ttl) return undefined;
  const hit = await caches.default.match(keyOf(requestUrl, uid));
  if (!hit) return undefined;
  return hit.headers.get(ABSENT) ? null : hit.text();
}

/** Caches what KV (or the user's object, after the user's own events) said about the user, for the other isolates here. */
export function locationPut(ttl: number, requestUrl: string, uid: string, text: string | null): Promise<void> {
  if (!ttl) return Promise.resolve();
  const headers: Record<string, string> = { "Cache-Control": `max-age=${ttl}`, "Content-Type": "text/plain" };
  if (text === null) headers[ABSENT] = "1";
  return caches.default.put(keyOf(requestUrl, uid), new Response(text ?? "", { headers }));
}

/** Removes the user's entry in this location (an erasure); other locations' entries end with their TTL. */
export async function locationDelete(ttl: number, requestUrl: string, uid: string): Promise<void> {
  if (ttl) await caches.default.delete(keyOf(requestUrl, uid));
}
