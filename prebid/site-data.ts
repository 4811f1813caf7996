/** OpenRTB `site.content.data` from the edge's answer: the page's own segments, for every bidder. They describe this page only, so they are never cached for another. */
import { type Ortb2Fragment, type OrtbData, readEdgeData } from "./user-data";

/** The page segments of an edge `page` answer (`site.content.data`), kept only where they have the OpenRTB shape. */
export function readSiteData(page: unknown): OrtbData[] {
  const p = page as { site?: { content?: { data?: unknown } } } | null;
  return readEdgeData(p?.site?.content?.data);
}

/**
 * Puts `data` into `fragment.site.content.data`: entries named like ours are replaced, every other entry and field
 * (the publisher's own `site.content`) stays. Nothing to add changes nothing.
 */
export function addSiteData(fragment: Ortb2Fragment, data: OrtbData[]): void {
  if (!data.length) return;
  const ours = new Set(data.map((d) => d.name));
  // Assigned level by level, not mutated in place: Prebid's fragment guard checks writes made through these properties.
  const f = fragment as { site?: { content?: { data?: unknown; [k: string]: unknown }; [k: string]: unknown } };
  const site = f.site ?? (f.site = {});
  const content = site.content ?? (site.content = {});
  const kept = Array.isArray(content.data) ? (content.data as { name?: unknown }[]).filter((d) => !ours.has(d?.name as string)) : [];
  content.data = [...kept, ...data];
}
