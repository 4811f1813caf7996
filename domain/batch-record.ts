/** One line of a batch part: `{"uid","segments":[…]}` or `{"uid","delete":true}`. */
import { ANY_UID_PATTERN } from "./ids";
import { SEGMENT_ID } from "./profile-record";

export type BatchRecord = { uid: string; segments: string[] } | { uid: string; delete: true };

const MAX_SEGMENTS_PER_USER = 500;

/** @returns the record, or a reason it cannot be applied (the line is then counted as rejected). */
export function parseBatchRecord(line: string): BatchRecord | { error: string } {
  let r: { uid?: unknown; segments?: unknown; delete?: unknown };
  try {
    r = JSON.parse(line) as typeof r;
  } catch {
    return { error: "not JSON" };
  }
  if (typeof r !== "object" || r === null) return { error: "not an object" };
  if (typeof r.uid !== "string" || !ANY_UID_PATTERN.test(r.uid)) return { error: "bad uid" };
  if (r.delete === true) return { uid: r.uid, delete: true };
  if (!Array.isArray(r.segments) || r.segments.length > MAX_SEGMENTS_PER_USER) return { error: "bad segments" };
  if (!r.segments.every((s): s is string => typeof s === "string" && SEGMENT_ID.test(s))) return { error: "bad segment id" };
  return { uid: r.uid, segments: [...new Set(r.segments)] };
}
