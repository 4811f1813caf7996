/** A lookup's page segments: the request's page context under the current context rules, and the batch origin's page map, through the isolate's cache. */
import type { CompiledContextRules, ContextReads, ContextSegment } from "../../domain/context/compile";
import { type DeviceClass, deviceClass } from "../../domain/context/device-class";
import { contextSegments } from "../../domain/context/evaluate";
import { normalisePageUrl } from "../../domain/context/normalise-url";
import { type PageContext, pageMetadata } from "../../domain/context/page-context";
import { UdnError } from "../../domain/input-error";
import { contextRules } from "../../platform/context-store";
import { readPage } from "../../platform/page-map";
import { queryOf } from "../http/query";
import { contextCache, validPages } from "../isolate";
import { kvDeadlineMs } from "../settings";

const NONE: ContextSegment[] = [];

/** What the page says of itself in the query: `url`, `section`, `keywords`, `lang`. */
export interface PageQuery {
  url?: string;
  section?: string;
  keywords: string[];
  lang?: string;
}

const NO_QUERY: PageQuery = { keywords: [] };

function param(url: string, name: string): string | undefined {
  const v = queryOf(url).get(name);
  return v === undefined || v.trim() === "" ? undefined : v;
}

/** The page parameters of a lookup URL, checked: a `url` that is not a page address is a 400 (checked before any I/O). */
export function pageQuery(url: string): PageQuery {
  if (!url.includes("?")) return NO_QUERY;
  const page = param(url, "url");
  if (page !== undefined && !validPages.get(page)) {
    if (normalisePageUrl(page) === null) throw new UdnError(400, "url must be an absolute http or https URL of at most 2048 characters");
    validPages.set(page, true);
  }
  return { url: page, ...pageMetadata(param(url, "section"), param(url, "keywords"), param(url, "lang")) };
}

/** The request's side of a page context, as sent: cheap to read, and the cache's key before any URL is parsed. */
interface Sent {
  page: string | undefined;
  country?: string;
  region?: string;
  device?: DeviceClass;
}

/**
 * A browser's page is its `url` parameter, else its Referer; its location and device come with the request. A
 * bidder's request says nothing of the user's page or place, so only its parameters count.
 */
function sent(req: Request, q: PageQuery, fromBrowser: boolean, reads: ContextReads): Sent {
  if (!fromBrowser) return { page: q.url };
  const s: Sent = { page: q.url ?? req.headers.get("Referer") ?? undefined };
  // Only what some rule reads: the rest could not change the answer, and each read is a call into the runtime.
  if (reads.location) {
    const cf = req.cf as { country?: string; regionCode?: string } | undefined;
    s.country = cf?.country;
    s.region = cf?.regionCode;
  }
  if (reads.device) s.device = deviceClass(req.headers.get("Sec-CH-UA-Mobile") ?? undefined, req.headers.get("User-Agent") ?? undefined);
  return s;
}

function evaluate(
  env: Env,
  rules: CompiledContextRules,
  req: Request,
  q: PageQuery,
  fromBrowser: boolean,
  now: number,
): ContextSegment[] | Promise<ContextSegment[]> {
  // Until a context document is stored (empty rules will do) nothing is read from the request or the map: a
  // deployment that does not use page segments pays nothing.
  if (rules.version === 0) return NONE;
  const s = sent(req, q, fromBrowser, rules.reads);
  // Keyed by what was sent, not by the normalised URL: a hit parses nothing. Addresses that differ only in tracking
  // parameters take an entry each, within the cache's bounds.
  const key = [rules.version, s.page, q.section, q.keywords.join(), q.lang, s.country, s.region, s.device].join("\n");
  const cached = contextCache.peek(key, now);
  if (cached.outcome !== "miss") return cached.value ?? NONE;
  const c: PageContext = {
    url: s.page === undefined ? null : normalisePageUrl(s.page),
    section: q.section,
    keywords: q.keywords,
    lang: q.lang,
    country: s.country,
    region: s.region,
    device: s.device,
  };
  const fromRules = contextSegments(rules, c);
  if (!c.url) {
    contextCache.set(key, fromRules, now);
    return fromRules;
  }
  // The batch origin's map may know the page: one KV read per page and isolate, within the lookup's deadline.
  const url = c.url.key;
  return withDeadline(readPage(env.PROFILES, url), kvDeadlineMs(env)).then(
    (mapped) => {
      const segments = merged(fromRules, mapped);
      contextCache.set(key, segments, now);
      return segments;
    },
    // KV failing or late: the rules' answer, not kept, so the next lookup asks the map again.
    () => fromRules,
  );
}

function merged(a: ContextSegment[], b: ContextSegment[]): ContextSegment[] {
  if (!b.length) return a;
  const seen = new Set(a.map((s) => `${s.taxonomy ?? ""}:${s.id}`));
  return [...a, ...b.filter((s) => !seen.has(`${s.taxonomy ?? ""}:${s.id}`))];
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: number | null = null;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("page map read timed out")), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** @returns the page's segments: at once when this isolate has answered this page context before (within the cache's lifetime) */
export function pageSegments(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
  req: Request,
  q: PageQuery,
  fromBrowser: boolean,
): ContextSegment[] | Promise<ContextSegment[]> {
  const now = Date.now();
  const rules = contextRules(env.PROFILES, ctx, now);
  return rules instanceof Promise
    ? rules.then((r) => evaluate(env, r, req, q, fromBrowser, now))
    : evaluate(env, rules, req, q, fromBrowser, now);
}
