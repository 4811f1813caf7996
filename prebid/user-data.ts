/** OpenRTB `user.data` from the edge's profile: the edge's own Data objects, or one mapped into a bidder's taxonomy; added beside other modules' data. */

/** An OpenRTB 2.6 Data object as the edge writes it: `ext.segtax` names the taxonomy (absent = proprietary). */
export interface OrtbData {
  name: string;
  ext?: { segtax: number };
  segment: { id: string }[];
}

/** A bidder's own taxonomy: our segment ids → theirs, under their segtax. Ids not listed are not sent to that bidder. */
export interface TaxonomyMapping {
  segtax: number;
  ids: Record<string, string>;
}

/** The parts of an ortb2 fragment this module reads and writes; everything else in it is left as it is. */
export interface Ortb2Fragment {
  user?: { data?: unknown; [other: string]: unknown };
  [other: string]: unknown;
}

/** The edge's `user.data`, kept only where it has the OpenRTB shape (the answer crossed the network). */
export function readEdgeData(data: unknown): OrtbData[] {
  if (!Array.isArray(data)) return [];
  const out: OrtbData[] = [];
  for (const d of data as Partial<OrtbData>[]) {
    if (!d || typeof d.name !== "string" || !Array.isArray(d.segment)) continue;
    const segment = d.segment.filter((s) => s && typeof s.id === "string").map((s) => ({ id: s.id }));
    if (!segment.length) continue;
    const segtax = d.ext?.segtax;
    out.push(typeof segtax === "number" ? { name: d.name, ext: { segtax }, segment } : { name: d.name, segment });
  }
  return out;
}

/** The Data objects a fragment gets: the edge's as they are, or (with a mapping) one object in the bidder's taxonomy. */
export function userDataFor(edgeData: OrtbData[], mapping?: TaxonomyMapping): OrtbData[] {
  if (!mapping) return edgeData.map((d) => ({ ...d, segment: d.segment.map((s) => ({ ...s })) }));
  const ids = new Set<string>();
  for (const d of edgeData) for (const s of d.segment) if (Object.hasOwn(mapping.ids, s.id)) ids.add(mapping.ids[s.id]!);
  const name = edgeData[0]?.name;
  return name && ids.size ? [{ name, ext: { segtax: mapping.segtax }, segment: [...ids].map((id) => ({ id })) }] : [];
}

/**
 * Puts `data` into `fragment.user.data`: entries named like ours (from an earlier auction) are replaced,
 * every other entry and every other field (`user.ext.eids` among them) stays. Nothing to add changes nothing.
 */
export function addUserData(fragment: Ortb2Fragment, data: OrtbData[]): void {
  if (!data.length) return;
  const ours = new Set(data.map((d) => d.name));
  // Assigned, not mutated in place: Prebid's fragment guard checks writes made through these properties.
  const user = fragment.user ?? (fragment.user = {});
  const kept = Array.isArray(user.data) ? (user.data as { name?: unknown }[]).filter((d) => !ours.has(d?.name as string)) : [];
  user.data = [...kept, ...data];
}
