/** What is known about the page a lookup comes from: its URL, the metadata the tag read, and where the request came from. */
import type { DeviceClass } from "./device-class";
import type { PageUrl } from "./normalise-url";

export interface PageContext {
  url: PageUrl | null;
  /** Lowercased, trimmed; undefined when not sent. */
  section?: string;
  /** Lowercased, trimmed, each once, at most MAX_KEYWORDS. */
  keywords: string[];
  /** Lowercased BCP 47 tag as sent (`en-gb`). */
  lang?: string;
  /** ISO 3166-1 alpha-2, uppercase (request.cf.country). */
  country?: string;
  /** ISO 3166-2 subdivision code without the country, uppercase (request.cf.regionCode). */
  region?: string;
  device?: DeviceClass;
}

export const MAX_KEYWORDS = 20;
const MAX_TEXT = 100;

function text(v: string | undefined): string | undefined {
  const t = v?.trim().toLowerCase().slice(0, MAX_TEXT);
  return t ? t : undefined;
}

/** Page metadata as the tag sends it (query parameters): cut to bounds rather than refused, since pages write it. */
export function pageMetadata(section: string | undefined, keywords: string | undefined, lang: string | undefined) {
  const words = new Set<string>();
  for (const w of (keywords ?? "").split(",")) {
    const k = text(w);
    if (k && words.size < MAX_KEYWORDS) words.add(k);
  }
  return { section: text(section), keywords: [...words], lang: text(lang) };
}
