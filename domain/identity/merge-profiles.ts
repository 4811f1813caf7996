/**
 * The merge of two profiles that meet: a browser's anonymous profile joining a person's when the browser declares the
 * person's id. Commutative, associative, and applied once per source, so the person's profile is the same whichever
 * browsers join first and however often a join is retried (docs/identity.md).
 */
import type { MembershipState } from "../merge";
import type { SegmentRef } from "../profile-record";
import type { Counters } from "../rules/evaluate";
import type { PartnerLink } from "./eids";

/** What a profile brings to a merge: its evidence (counters), memberships, batch version, partner ids and activity. */
export interface Mergeable {
  counters: Counters;
  memberships: MembershipState;
  batchVersion: number;
  partners: PartnerLink[];
  lastActive: number;
}

/** Partner ids a user keeps at most; the least recently synced goes first. */
export const MAX_PARTNER_LINKS = 16;

function mergeCounters(a: Counters, b: Counters): Counters {
  const out: Counters = new Map();
  for (const side of [a, b]) {
    for (const [key, cells] of side) {
      let merged = out.get(key);
      if (!merged) out.set(key, (merged = new Map()));
      for (const [bucket, n] of cells) merged.set(bucket, (merged.get(bucket) ?? 0) + n);
    }
  }
  return out;
}

function mergeRealtime(a: MembershipState["realtime"], b: MembershipState["realtime"]): MembershipState["realtime"] {
  const out = new Map(a);
  for (const [id, m] of b) {
    const mine = out.get(id);
    if (!mine || m.until > mine.until) out.set(id, m);
  }
  return out;
}

const NO_BATCH: MembershipState["batch"] = { segments: [], expires: 0 };

/** A side's batch memberships as they stand at `now`: a lapsed batch counts as none (it must not live on through the other's expiry). */
function liveBatch(m: Mergeable, now: number): MembershipState["batch"] {
  const b = m.memberships.batch;
  return b.segments.length && b.expires > now ? b : NO_BATCH;
}

/** The newer version's batch; of one version (both users were in the same batch), the union for the longer of the two. */
function mergeBatch(a: Mergeable, b: Mergeable, now: number): { version: number; batch: MembershipState["batch"] } {
  if (a.batchVersion !== b.batchVersion) {
    const newer = a.batchVersion > b.batchVersion ? a : b;
    return { version: newer.batchVersion, batch: liveBatch(newer, now) };
  }
  const [x, y] = [liveBatch(a, now), liveBatch(b, now)];
  const byId = new Map<string, SegmentRef>();
  for (const s of [...x.segments, ...y.segments]) if (!byId.has(s.id)) byId.set(s.id, s);
  const segments = [...byId.values()].sort((p, q) => (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
  return { version: a.batchVersion, batch: segments.length ? { segments, expires: Math.max(x.expires, y.expires) } : NO_BATCH };
}

/** Per partner the most recently synced id (ties: the greater id, so the order of merges does not matter), newest first, bounded. */
export function mergePartnerLinks(a: readonly PartnerLink[], b: readonly PartnerLink[]): { links: PartnerLink[]; dropped: PartnerLink[] } {
  const byPartner = new Map<string, PartnerLink>();
  const losers: PartnerLink[] = [];
  for (const l of [...a, ...b]) {
    const mine = byPartner.get(l.partner);
    if (!mine) byPartner.set(l.partner, l);
    else if (l.at > mine.at || (l.at === mine.at && l.puid > mine.puid)) {
      byPartner.set(l.partner, l);
      losers.push(mine);
    } else if (l.puid !== mine.puid) losers.push(l);
  }
  const all = [...byPartner.values()].sort((x, y) => y.at - x.at || (x.partner < y.partner ? -1 : 1));
  return { links: all.slice(0, MAX_PARTNER_LINKS), dropped: [...losers, ...all.slice(MAX_PARTNER_LINKS)] };
}

/**
 * Counters add up (each event was applied to exactly one of the two, and remembered ids keep a later redelivery out);
 * real-time memberships last as long as the longer of the two; batch memberships follow the newer version (lapsed ones
 * at `now` count as none).
 */
export function mergeProfiles(a: Mergeable, b: Mergeable, now: number): Mergeable {
  const { version, batch } = mergeBatch(a, b, now);
  return {
    counters: mergeCounters(a.counters, b.counters),
    memberships: { realtime: mergeRealtime(a.memberships.realtime, b.memberships.realtime), batch },
    batchVersion: version,
    partners: mergePartnerLinks(a.partners, b.partners).links,
    lastActive: Math.max(a.lastActive, b.lastActive),
  };
}
