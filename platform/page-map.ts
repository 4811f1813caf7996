/** The URL → category map from the batch origin, in KV: one record per normalised page URL, in the profile record's codec. */
import { decodeProfile, encodeProfile, type SegmentRef } from "../domain/profile-record";

/** KV key of a page's categories. */
export function pageKey(page: string): string {
  return `p:${page}`;
}

/** KV's own edge cache lifetime for page reads (its minimum). */
const PAGE_CACHE_TTL_S = 30;

/**
 * Writes a page's categories of a batch version: the record's `ts` is the version. Rewriting the same record is
 * harmless (a slice retried whole); it lapses `ttlMs` after its version unless a newer version writes it again.
 */
export async function putPage(kv: KVNamespace, page: string, version: number, segments: SegmentRef[], ttlMs: number): Promise<void> {
  await kv.put(pageKey(page), encodeProfile({ ts: version, segments }), { expirationTtl: Math.max(60, Math.ceil(ttlMs / 1000)) });
}

export async function deletePage(kv: KVNamespace, page: string): Promise<void> {
  await kv.delete(pageKey(page));
}

/** A page's categories from the map; none when it has no record (or a record this code cannot read). */
export async function readPage(kv: KVNamespace, page: string): Promise<SegmentRef[]> {
  const text = await kv.get(pageKey(page), { cacheTtl: PAGE_CACHE_TTL_S });
  return (text !== null && decodeProfile(text)?.segments) || [];
}
