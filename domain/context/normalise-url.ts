/** Page URLs in one canonical form, so that the same page read from a Referer, a tag or a classifier's map is one key. */

/** A page URL reduced to what describes the page: no fragment, no default port, no tracking parameters. */
export interface PageUrl {
  /** Lowercased host name, without a default port (a non-default port stays: `example.com:8080`). */
  host: string;
  /** The path as the URL parser leaves it (percent-encoding normalised, never empty). */
  path: string;
  /** Query parameters left after dropping tracking ones, sorted by name then value. */
  query: [string, string][];
  /** The canonical text: `<host><path>?<sorted query>`; the scheme is left out, so http and https pages share it. */
  key: string;
}

const MAX_URL_LENGTH = 2048;
/** Parameters that say how a visitor arrived, not what the page is: they would split one page into many keys. */
const TRACKING_PARAMS = new Set([
  "gclid",
  "gbraid",
  "wbraid",
  "dclid",
  "fbclid",
  "msclkid",
  "twclid",
  "ttclid",
  "yclid",
  "mc_cid",
  "mc_eid",
  "_ga",
  "_gl",
  "igshid",
]);

function isTracking(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith("utm_") || TRACKING_PARAMS.has(n);
}

/**
 * @returns the page's canonical form, or null when `raw` is not an absolute http(s) URL of at most 2,048 characters
 * @example normalisePageUrl("https://News.Example:443/a?utm_source=x&b=2&a=1#top")?.key // "news.example/a?a=1&b=2"
 */
export function normalisePageUrl(raw: string): PageUrl | null {
  if (raw.length === 0 || raw.length > MAX_URL_LENGTH) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return null;
  // The parser already lowercases the host and drops a port that is the scheme's default.
  const host = u.host;
  if (host === "") return null;
  const query: [string, string][] = [];
  for (const [k, v] of u.searchParams) if (!isTracking(k)) query.push([k, v]);
  query.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const search = query.length === 0 ? "" : `?${new URLSearchParams(query).toString()}`;
  return { host, path: u.pathname, query, key: `${host}${u.pathname}${search}` };
}
