/** What the page says of itself for its page segments: its address, and section, keywords and language from `<meta>` tags or `udn.context()`. */

export type PageParams = Record<string, string>;

/** What a page may pass to `udn.context()`: its own values win over its `<meta>` tags. */
export interface GivenContext {
  url?: string;
  section?: string;
  keywords?: string | string[];
  lang?: string;
}

interface PageDocument {
  querySelector(selector: string): unknown;
  documentElement: { lang: string };
}

const meta = (doc: PageDocument, selector: string) => (doc.querySelector(selector) as { content?: string } | null)?.content;

/** The lookup's page parameters; empty ones are left out. The edge takes at most 2,048 characters of address: a longer one goes without its query. */
export function pageParams(doc: PageDocument, href: string, given: GivenContext): PageParams {
  const k = given.keywords;
  const all: Record<string, string | undefined> = {
    url: given.url || (href.length > 2048 ? href.split(/[?#]/)[0] : href.split("#")[0]),
    section: given.section || meta(doc, 'meta[property="article:section"],meta[name="section"]'),
    keywords: (Array.isArray(k) ? k.join() : k) || meta(doc, 'meta[name="keywords"]'),
    lang: given.lang || doc.documentElement.lang,
  };
  const out: PageParams = {};
  for (const n in all) if (all[n]) out[n] = all[n]!;
  return out;
}
