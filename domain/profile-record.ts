/** The compact, versioned profile record stored in KV (and in the edge cache) for each user. */

/** One membership as the edge publishes it: a segment id and its taxonomy (segtax), if any. */
export interface SegmentRef {
  id: string;
  taxonomy?: number;
}

export interface Profile {
  /** Milliseconds of the profile's last change. */
  ts: number;
  segments: SegmentRef[];
}

export const EMPTY_PROFILE: Profile = Object.freeze({ ts: 0, segments: [] }) as Profile;

/** KV key of a user's published profile. */
export function profileKey(uid: string): string {
  return `u:${uid}`;
}

const FORMAT = "1";

/**
 * Encodes a profile as `1|<ts>|<segtax>:<id>,<id>;<segtax>:<id>` (empty segtax = proprietary).
 * Segment ids are restricted to `[A-Za-z0-9._-]`, so the separators never occur inside them;
 * a segment costs its id's length plus one byte.
 * @example encodeProfile({ ts: 5, segments: [{ id: "244", taxonomy: 4 }, { id: "rt" }] }) // "1|5|4:244;:rt"
 */
export function encodeProfile(p: Profile): string {
  const groups = new Map<string, string[]>();
  for (const s of p.segments) {
    const tax = s.taxonomy === undefined ? "" : String(s.taxonomy);
    const ids = groups.get(tax);
    if (ids) ids.push(s.id);
    else groups.set(tax, [s.id]);
  }
  const body = [...groups].map(([tax, ids]) => `${tax}:${ids.join(",")}`).join(";");
  return `${FORMAT}|${p.ts}|${body}`;
}

/** @returns the profile, or undefined for a record this code cannot read (treated as absent). */
export function decodeProfile(text: string): Profile | undefined {
  const [format, ts, body] = text.split("|");
  if (format !== FORMAT || ts === undefined || body === undefined) return undefined;
  const segments: SegmentRef[] = [];
  if (body !== "") {
    for (const group of body.split(";")) {
      const colon = group.indexOf(":");
      if (colon < 0) return undefined;
      const tax = group.slice(0, colon);
      const taxonomy = tax === "" ? undefined : Number(tax);
      for (const id of group.slice(colon + 1).split(",")) {
        segments.push(taxonomy === undefined ? { id } : { id, taxonomy });
      }
    }
  }
  return { ts: Number(ts), segments };
}

/** Segment ids the contract allows: short, and free of the record's separators. */
export const SEGMENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
