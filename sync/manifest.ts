/** The batch origin's manifests: `manifests/latest.json`, and optionally one `manifests/v<version>.json` per version. */
import { parseDuration } from "../worker/duration";

export const MANIFEST_KEY = "manifests/latest.json";
const VERSIONED = /^manifests\/v([0-9]{1,15})\.json$/;
/** Listing pages read when looking for versioned manifests (1,000 keys each). */
const MAX_LIST_PAGES = 10;

export interface ManifestPart {
  key: string;
  records: number;
  sha256: string;
}

export interface Manifest {
  version: number;
  kind: "full" | "delta";
  parts: ManifestPart[];
  segmentTtl: string;
  /** Extension: the segtax of the batch segments (absent = proprietary). */
  taxonomy?: number;
}

export function parseManifest(raw: unknown): Manifest {
  const m = raw as Partial<Manifest> | null;
  const bad = (what: string): never => {
    throw new Error(`manifest: ${what}`);
  };
  if (typeof m !== "object" || m === null) bad("must be a JSON object");
  if (!Number.isSafeInteger(m!.version) || m!.version! < 1) bad("version must be a positive integer");
  if (m!.kind !== "full" && m!.kind !== "delta") bad('kind must be "full" or "delta"');
  if (parseDuration(m!.segmentTtl) === undefined) bad('segmentTtl must be a duration like "3d"');
  if (m!.taxonomy !== undefined && !Number.isInteger(m!.taxonomy)) bad("taxonomy must be an integer");
  if (!Array.isArray(m!.parts)) bad("parts must be an array");
  m!.parts!.forEach((p, i) => {
    if (typeof p?.key !== "string" || p.key === "") bad(`parts[${i}].key must be an object key`);
    if (!Number.isSafeInteger(p.records) || p.records < 0) bad(`parts[${i}].records must be a count`);
    if (typeof p.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(p.sha256)) bad(`parts[${i}].sha256 must be 64 hex digits`);
  });
  return m as Manifest;
}

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
      const v = Number(VERSIONED.exec(o.key)?.[1] ?? NaN);
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
