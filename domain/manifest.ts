/** The batch origin's manifests: `manifests/latest.json`, and optionally one `manifests/v<version>.json` per version. */
import { parseDuration } from "./duration";

export const MANIFEST_KEY = "manifests/latest.json";
export const VERSIONED_MANIFEST = /^manifests\/v([0-9]{1,15})\.json$/;

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
