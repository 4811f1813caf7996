/** OpenRTB extended ids from the edge's answer (our id for the browser or person, partners' ids matched to it), added beside other ID modules' eids without replacing or repeating a source. */
import type { Ortb2Fragment } from "./user-data";

/** One OpenRTB 2.6 EID as the edge writes it: `matcher` and `mm` on a partner's id, which we matched. */
export interface Eid {
  source: string;
  uids: { id: string; atype?: number }[];
  matcher?: string;
  mm?: number;
}

/** The answer's `user.eids`, keeping only entries of the OpenRTB shape (the answer crossed the network): a source, and uids that all have an id. */
export function readEids(eids: unknown): Eid[] {
  if (!Array.isArray(eids)) return [];
  return eids.filter(
    (e: Partial<Eid> | null) =>
      typeof e?.source === "string" &&
      e.source &&
      Array.isArray(e.uids) &&
      e.uids.length &&
      e.uids.every((u) => typeof u?.id === "string" && u.id),
  );
}

/** Whose profile this is: the id in our own entry, the one no matcher vouches for (a browser's, or the person's once signed in). */
export function ownId(eids: readonly Eid[]): string | undefined {
  return eids.find((e) => e.matcher === undefined)?.uids[0]?.id;
}

const list = (v: unknown) => (Array.isArray(v) ? (v as { source?: unknown }[]) : []);

/** The sources a fragment's eids name, in `user.eids` or `user.ext.eids`. */
const sources = (f: Ortb2Fragment | undefined) =>
  [...list(f?.user?.eids), ...list((f?.user?.ext as { eids?: unknown } | undefined)?.eids)].map((e) => e?.source);

/**
 * Appends to `fragment.user.ext.eids` each of `eids` whose source is not there yet (in `user.ext.eids` or `user.eids`,
 * of this fragment or of `beside`, the global fragment a bidder's is merged with): an ID module's id for a source stays
 * as it is, and no source is sent twice. Prebid 11 keeps every eid in `user.ext.eids` (it moves `user.eids` there before
 * real-time-data modules run, and bid adapters read `userIdAsEids` from it), so ours go there too. Nothing to add
 * changes nothing.
 */
export function addEids(fragment: Ortb2Fragment, eids: readonly Eid[], beside?: Ortb2Fragment): void {
  const present = new Set([...sources(fragment), ...sources(beside)]);
  const added: Eid[] = [];
  for (const e of eids) {
    if (present.has(e.source)) continue;
    present.add(e.source);
    added.push(structuredClone(e));
  }
  if (!added.length) return;
  // Assigned level by level, not mutated in place: Prebid's fragment guard checks writes made through these properties.
  const u = fragment.user ?? (fragment.user = {});
  const x = (u.ext ?? (u.ext = {})) as { eids?: unknown };
  x.eids = [...list(x.eids), ...added];
}
