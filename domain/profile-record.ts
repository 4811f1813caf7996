/** The compact, versioned profile record stored in KV (and in the edge cache) for each user. */

/** One membership as the edge publishes it: a segment id and its taxonomy (segtax), if any. */
export interface SegmentRef {
  id: string;
  taxonomy?: number;
}

/** A partner's id for the user, as the record carries it (for `user.eids`). */
export interface PartnerId {
  partner: string;
  puid: string;
}

export interface Profile {
  /** Milliseconds of the profile's last change. */
  ts: number;
  segments: SegmentRef[];
  /** Partners' ids matched to the user (cookie sync); absent when none. */
  partners?: PartnerId[];
  /** The uid is a person's: a declared id joined browsers to it. */
  person?: boolean;
}

export const EMPTY_PROFILE: Profile = Object.freeze({ ts: 0, segments: [] }) as Profile;

/** KV key of a user's published profile. */
export function profileKey(uid: string): string {
  return `u:${uid}`;
}

const FORMAT = "1";

/**
 * Encodes a profile as `1|<ts>|<segtax>:<id>,<id>;<segtax>:<id>` (empty segtax = proprietary), followed by
 * `|<partner>:<puid>,…|<P when a person>` only when the user has partner ids or is a person (older readers ignore it).
 * Segment ids are restricted to `[A-Za-z0-9._-]` and partner ids to PUID, so the separators never occur inside them;
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
  const record = `${FORMAT}|${p.ts}|${body}`;
  if (!p.partners?.length && !p.person) return record;
  return `${record}|${(p.partners ?? []).map((l) => `${l.partner}:${l.puid}`).join(",")}|${p.person ? "P" : ""}`;
}

/** @returns the profile, or undefined for a record this code cannot read (treated as absent). */
export function decodeProfile(text: string): Profile | undefined {
  const [format, ts, body, partners, kind] = text.split("|");
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
  const profile: Profile = { ts: Number(ts), segments };
  if (partners) {
    profile.partners = partners.split(",").map((pair) => {
      const colon = pair.indexOf(":");
      return { partner: pair.slice(0, colon), puid: pair.slice(colon + 1) };
    });
  }
  if (kind === "P") profile.person = true;
  return profile;
}

/** Segment ids the contract allows: short, and free of the record's separators. */
export const SEGMENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
