/** Merges live real-time and batch memberships into the profile published for a user. */
import type { Profile, SegmentRef } from "./profile-record";

export interface MembershipState {
  /** Real-time memberships: segment id -> ms until which it lasts. */
  realtime: Map<string, { until: number; taxonomy?: number }>;
  batch: { segments: SegmentRef[]; expires: number };
}

/** Live segments: real-time ones not yet lapsed, then batch ones while the batch has not lapsed; each id once. */
export function liveSegments(state: MembershipState, now: number): SegmentRef[] {
  const out: SegmentRef[] = [];
  const ids = new Set<string>();
  for (const [id, m] of state.realtime) {
    if (m.until <= now) continue;
    ids.add(id);
    out.push(m.taxonomy === undefined ? { id } : { id, taxonomy: m.taxonomy });
  }
  if (state.batch.expires > now) {
    for (const s of state.batch.segments) {
      if (ids.has(s.id)) continue;
      ids.add(s.id);
      out.push(s);
    }
  }
  return out;
}

/** The next moment a membership lapses by itself, or undefined when none will. */
export function nextLapse(state: MembershipState, now: number): number | undefined {
  let next = Infinity;
  for (const m of state.realtime.values()) if (m.until > now) next = Math.min(next, m.until);
  if (state.batch.segments.length && state.batch.expires > now) next = Math.min(next, state.batch.expires);
  return next === Infinity ? undefined : next;
}

export function sameSegments(a: readonly SegmentRef[], b: readonly SegmentRef[]): boolean {
  return a.length === b.length && a.every((s, i) => s.id === b[i]!.id && s.taxonomy === b[i]!.taxonomy);
}

export type { Profile };
