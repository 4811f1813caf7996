/** The batch job's reach file in the origin (contract: "Reach"): members per batch segment, shown by the admin API. */

export const REACH_KEY = "reach/latest.json";

export interface SegmentReach {
  id: string;
  name: string | null;
  members: number;
  /** Members in the run before; null when there was none to compare with. */
  previous: number | null;
  change: number | null;
  /** Fewer members than the run's `minimum`: too small a list for most ad servers. */
  belowMinimum: boolean;
}

export interface Reach {
  version: number;
  computedAt: string;
  minimum: number;
  taxonomy?: number;
  segments: SegmentReach[];
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** The file's text as a reach document, or null when it is not one (the admin API then shows none). */
export function parseReach(text: string): Reach | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const r = v as Partial<Reach>;
  if (!isCount(r.version) || typeof r.computedAt !== "string" || !isCount(r.minimum) || !Array.isArray(r.segments)) return null;
  const ok = r.segments.every((s) => typeof s?.id === "string" && isCount(s.members) && typeof s.belowMinimum === "boolean");
  return ok ? (r as Reach) : null;
}
