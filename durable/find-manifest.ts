/** Finds the next manifest to apply in the origin bucket. */
import { MANIFEST_KEY, type Manifest, parseManifest, VERSIONED_MANIFEST } from "../domain/manifest";

/** Listing pages read when looking for versioned manifests (1,000 keys each). */
const MAX_LIST_PAGES = 10;

export type Found = { manifest: Manifest; key: string } | { error: string; key: string } | null;

/**
 * The next manifest to apply after version `after`: the oldest versioned manifest newer than it
 * (so deltas published while another sync ran are applied in order), else `latest.json`.
 * @returns null when the origin has no manifest at all
 */
export async function findManifest(bucket: R2Bucket, after: number): Promise<Found> {
  let next: number | undefined;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const listed = await bucket.list({ prefix: "manifests/v", ...(cursor ? { cursor } : {}) });
    for (const o of listed.objects) {
      const v = Number(VERSIONED_MANIFEST.exec(o.key)?.[1] ?? NaN);
      if (v > after && (next === undefined || v < next)) next = v;
    }
    if (!listed.truncated) break;
    cursor = listed.cursor;
  }
  const key = next === undefined ? MANIFEST_KEY : `manifests/v${next}.json`;
  const obj = await bucket.get(key);
  if (!obj) return null;
  try {
    return { manifest: parseManifest(JSON.parse(await obj.text())), key };
  } catch (e) {
    return { error: e instanceof SyntaxError ? `manifest: ${key} is not valid JSON` : (e as Error).message, key };
  }
}
