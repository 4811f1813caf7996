/** The module's options (`realTimeData.dataProviders[].params`), checked, with their defaults. */
import type { TaxonomyMapping } from "./user-data";

export interface UdnRtdParams {
  /** Only these bidders get the segments, each in its own fragment; absent = the global fragment (every bidder). */
  bidders?: string[];
  /** Per bidder: our segment ids in that bidder's taxonomy. A bidder without one gets the edge's own `user.data`. */
  taxonomies?: Record<string, TaxonomyMapping>;
  /** With nothing cached, how long the first auction may wait for the edge (ms); never longer than `auctionDelay`. */
  waitMs?: number;
  /** Cached segments older than this are not used (ms). */
  maxAgeMs?: number;
  /** The edge's origin; default: the origin the page's tag (`/v1/tag.js`) was loaded from. */
  edge?: string;
}

export interface Options {
  bidders: string[] | undefined;
  taxonomies: Record<string, TaxonomyMapping>;
  waitMs: number;
  maxAgeMs: number;
  edge: string | undefined;
}

export const DEFAULT_WAIT_MS = 200;
/** A day: audience segments change over days; the page refreshes them on every page view anyway. */
export const DEFAULT_MAX_AGE_MS = 86_400_000;

const count = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : fallback);

function readMapping(m: unknown): TaxonomyMapping | undefined {
  const t = m as Partial<TaxonomyMapping> | null;
  if (!t || typeof t.segtax !== "number" || !t.ids || typeof t.ids !== "object") return undefined;
  const ids = Object.fromEntries(Object.entries(t.ids).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  return { segtax: t.segtax, ids };
}

/** Options from what the publisher configured; anything malformed falls back to its default. */
export function readOptions(params: unknown): Options {
  const p = (params && typeof params === "object" ? params : {}) as UdnRtdParams;
  const taxonomies: Record<string, TaxonomyMapping> = {};
  for (const [bidder, m] of Object.entries(p.taxonomies && typeof p.taxonomies === "object" ? p.taxonomies : {})) {
    const mapping = readMapping(m);
    if (mapping) taxonomies[bidder] = mapping;
  }
  return {
    bidders: Array.isArray(p.bidders) ? p.bidders.filter((b) => typeof b === "string") : undefined,
    taxonomies,
    waitMs: count(p.waitMs, DEFAULT_WAIT_MS),
    maxAgeMs: count(p.maxAgeMs, DEFAULT_MAX_AGE_MS),
    edge: typeof p.edge === "string" && p.edge ? new URL(p.edge).origin : undefined,
  };
}
