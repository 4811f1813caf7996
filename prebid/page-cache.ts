/** The page's cache of the edge's profile: keyed by edge, versioned by the profile's `ts`, used only within an age limit. */
import { type Eid, ownId, readEids } from "./eids";
import { type OrtbData, readEdgeData } from "./user-data";

export interface CachedProfile {
  /** The edge the profile came from: another edge's user is another user. */
  edge: string;
  /** The profile's version (ms of its last change, from the edge). */
  ts: number;
  /** When this page learnt it (ms). */
  at: number;
  data: OrtbData[];
  /** GAM key-values as the edge gives them, e.g. `{"udn":["244","806"]}`. */
  gpt: Record<string, string[]>;
  /** The answer's `user.eids`: our id for the browser (or the person), and partners' ids matched to it. */
  eids: Eid[];
}

/** The storage key of `edge`'s profile. */
export const cacheKey = (edge: string) => `udn_rtd:${edge}`;

/** A profile from the edge's `page` answer (`{segments, ts, user: {data, eids}, gpt}`), or undefined when it is not one. */
export function fromPage(edge: string, page: unknown, now: number): CachedProfile | undefined {
  const p = page as { ts?: unknown; user?: { data?: unknown; eids?: unknown }; gpt?: unknown } | null;
  if (!p || typeof p.ts !== "number") return undefined;
  return { edge, ts: p.ts, at: now, data: readEdgeData(p.user?.data), gpt: readGpt(p.gpt), eids: readEids(p.user?.eids) };
}

function readGpt(gpt: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!gpt || typeof gpt !== "object") return out;
  for (const [k, v] of Object.entries(gpt)) if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
  return out;
}

/** A stored entry, if it is this edge's, learnt no later than now and at most `maxAgeMs` ago. */
export function usable(stored: unknown, edge: string, now: number, maxAgeMs: number): CachedProfile | undefined {
  const c = stored as Partial<CachedProfile> | null;
  if (!c || c.edge !== edge || typeof c.ts !== "number" || typeof c.at !== "number") return undefined;
  // A clock set back (or a forged entry from the future) must not make an entry look young forever.
  if (c.at > now || now - c.at > maxAgeMs) return undefined;
  return { edge, ts: c.ts, at: c.at, data: readEdgeData(c.data), gpt: readGpt(c.gpt), eids: readEids(c.eids) };
}

/**
 * Whether `next` should replace `current`: it is at least as new a version, or `current` is no longer usable,
 * or the edge knows nothing of this browser any more (version 0, no segments: consent refused, opted out, erased),
 * or it is someone else's profile: the browser signed in, and the person's profile may be older than the browser's.
 */
export function replaces(current: CachedProfile | undefined, next: CachedProfile, now: number, maxAgeMs: number): boolean {
  if (next.ts === 0 && !next.data.length) return true;
  const c = usable(current, next.edge, now, maxAgeMs);
  return !c || next.ts >= c.ts || ownId(next.eids) !== ownId(c.eids);
}
