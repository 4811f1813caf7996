/** The batch origin's manifest (`manifests/latest.json`) and the queue messages a version fans out into. */
import { parseDuration } from "../worker/duration";

export const MANIFEST_KEY = "manifests/latest.json";

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

/** One unit of queue work: records [from, to) of one part of one version. */
export interface SliceMessage {
  version: number;
  kind: "full" | "delta";
  key: string;
  from: number;
  to: number;
  ttlMs: number;
  taxonomy?: number;
}

/** Records per slice: keeps one consumer invocation's Durable Object calls well under the subrequest limit. */
export const RECORDS_PER_SLICE = 2_000;

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

export function sliceManifest(m: Manifest): SliceMessage[] {
  const ttlMs = parseDuration(m.segmentTtl)!;
  const out: SliceMessage[] = [];
  for (const p of m.parts) {
    for (let from = 0; from < Math.max(p.records, 1); from += RECORDS_PER_SLICE) {
      const slice: SliceMessage = { version: m.version, kind: m.kind, key: p.key, from, to: Math.min(from + RECORDS_PER_SLICE, p.records), ttlMs };
      if (m.taxonomy !== undefined) slice.taxonomy = m.taxonomy;
      out.push(slice);
    }
  }
  return out;
}
