/** Page URLs in the edge's canonical form (domain/context/normalise-url.ts, which the tests hold this to), for page records. */

const MAX_URL_LENGTH = 2048;
/** Parameters that say how a visitor arrived, not what the page is. */
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

const isTracking = (name) => {
  const n = name.toLowerCase();
  return n.startsWith("utm_") || TRACKING_PARAMS.has(n);
};

/**
 * The key the edge stores a page's categories under, or null when the edge would reject the address (not an
 * absolute http(s) URL of at most 2,048 characters).
 * @param {string} raw
 * @returns {string | null}
 */
export function pageKey(raw) {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_URL_LENGTH) return null;
  let u;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if ((u.protocol !== "https:" && u.protocol !== "http:") || u.host === "") return null;
  const query = [...u.searchParams].filter(([k]) => !isTracking(k));
  query.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const search = query.length === 0 ? "" : `?${new URLSearchParams(query).toString()}`;
  return `${u.host}${u.pathname}${search}`;
}
