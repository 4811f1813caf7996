/** One line of a batch part: a user's `{"uid","segments":[…]}` or `{"uid","delete":true}`, or a page's `{"url","segments":[…]}` or `{"url","delete":true}`. */
import { normalisePageUrl } from "./context/normalise-url";
import { ANY_UID_PATTERN } from "./ids";
import { SEGMENT_ID } from "./profile-record";

export type BatchRecord = { uid: string; segments: string[] } | { uid: string; delete: true };
/** A classifier's verdict on one page; `page` is the URL's normalised key (domain/context/normalise-url.ts). */
export type PageRecord = { page: string; segments: string[] } | { page: string; delete: true };

const MAX_SEGMENTS_PER_USER = 500;

/** @returns the record, or a reason it cannot be applied (the line is then counted as rejected). */
export function parseBatchRecord(line: string): BatchRecord | PageRecord | { error: string } {
  let r: { uid?: unknown; url?: unknown; segments?: unknown; delete?: unknown };
  try {
    r = JSON.parse(line) as typeof r;
  } catch {
    return { error: "not JSON" };
  }
  if (typeof r !== "object" || r === null) return { error: "not an object" };
  let who: { uid: string } | { page: string };
  if (r.url !== undefined && r.uid === undefined) {
    const u = typeof r.url === "string" ? normalisePageUrl(r.url) : null;
    if (!u) return { error: "bad url" };
    who = { page: u.key };
  } else {
    if (typeof r.uid !== "string" || !ANY_UID_PATTERN.test(r.uid)) return { error: "bad uid" };
    who = { uid: r.uid };
  }
  if (r.delete === true) return { ...who, delete: true } as BatchRecord | PageRecord;
  if (!Array.isArray(r.segments) || r.segments.length > MAX_SEGMENTS_PER_USER) return { error: "bad segments" };
  if (!r.segments.every((s): s is string => typeof s === "string" && SEGMENT_ID.test(s))) return { error: "bad segment id" };
  return { ...who, segments: [...new Set(r.segments)] } as BatchRecord | PageRecord;
}
