/** Segment lookups: the browser's own (`/v1/segments`) and server-to-server by uid, all through the isolate cache. */
import { type Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { Eid } from "../../domain/identity/eids";
import { checkedPuid, knownPartner } from "../../domain/identity/partners";
import { checkedUid } from "../../domain/ids";
import { UdnError } from "../../domain/input-error";
import { EMPTY_PROFILE, type SegmentRef } from "../../domain/profile-record";
import type { Format } from "../../domain/segment-formats";
import { partnerConfig } from "../../platform/partner-store";
import { s2sAuth } from "../http/bearer-auth";
import { cors } from "../http/cors";
import { embeddingPageAllowed } from "../http/embedding-page";
import type { AppEnv } from "../http/hono-env";
import { readText } from "../http/request-limits";
import { browserId } from "../identity/browser-id";
import { aliasUid, aliasUids } from "./alias-lookup";
import { lookupBody, lookupFormat, lookupHeaders } from "./answer";
import { lookupEids, wantsEids } from "./eids";
import { pageQuery, pageSegments } from "./page-segments";
import { PATHS } from "./paths";
import { type Lookup, lookupProfile, lookupProfiles } from "./profile-lookup";

const MAX_LOOKUP_UIDS = 100;
const MAX_LOOKUP_BYTES = 16 * 1024;

function answer(
  c: Context<AppEnv>,
  l: Lookup,
  format: Format,
  callback: string | undefined,
  page: readonly SegmentRef[],
  eids: readonly Eid[] = [],
): Response {
  const [body, type] = lookupBody(c.env, l, format, callback, page, eids);
  const headers = lookupHeaders(l, format, type);
  if (l.degraded) c.set("degraded", l.degraded);
  c.set("cacheOutcome", l.outcome);
  return c.body(body, 200, headers);
}

/**
 * Answers from the cache without an await when it can; the format and page parameters are checked before any I/O. A
 * uid this request minted cannot have a profile: it is answered empty without a KV read or a cache entry, which would
 * only evict real profiles (a browser that refuses cookies brings a new id every time). The page's segments need no
 * id: every browser gets them, identified or not.
 */
function lookupAndAnswer(c: Context<AppEnv>, uid: string | null, newId = false, fromBrowser = true): Response | Promise<Response> {
  const { format, callback } = lookupFormat(c.req.url);
  const page = pageSegments(c.env, c.executionCtx, c.req.raw, pageQuery(c.req.url), fromBrowser);
  const withPage = (f: (p: readonly SegmentRef[]) => Response) => (page instanceof Promise ? page.then(f) : f(page));
  if (newId) return withPage((p) => answer(c, { profile: EMPTY_PROFILE, outcome: "new" }, format, callback, p));
  if (!uid) {
    return withPage((p) => {
      const res = answer(c, { profile: EMPTY_PROFILE, outcome: "hit" }, format, callback, p);
      // Not a cache hit: nobody was looked up (opted out, or no consent).
      c.set("cacheOutcome", "anonymous");
      return res;
    });
  }
  const l = lookupProfile(c.env, c.executionCtx, uid, c.req.url);
  const withIds = (r: Lookup, p: readonly SegmentRef[]) => {
    if (!wantsEids(format, c.req.url, fromBrowser)) return answer(c, r, format, callback, p);
    const eids = lookupEids(c.env, c.executionCtx, uid, r.profile, fromBrowser ? c.get("consent") : undefined);
    return eids instanceof Promise ? eids.then((e) => answer(c, r, format, callback, p, e)) : answer(c, r, format, callback, p, eids);
  };
  if (l instanceof Promise || page instanceof Promise) return Promise.all([l, page]).then(([r, p]) => withIds(r, p));
  return withIds(l, page);
}

/** A `format=js` answer is readable by any page's script tag: only listed pages get one. Checked before the browser is identified, so a refused page mints no id and sets no cookie. */
export const scriptPage = createMiddleware<AppEnv>(async (c, next) => {
  if (lookupFormat(c.req.url).format === "js" && !embeddingPageAllowed(c.env, c.req.header("Sec-Fetch-Site"), c.req.header("Referer"))) {
    throw new UdnError(403, "format=js answers only pages in ALLOWED_ORIGINS, and this request's Referer is not one");
  }
  await next();
});

export const segmentRoutes = new Hono<AppEnv>();

segmentRoutes.use(PATHS.browser, cors);
segmentRoutes.get(PATHS.browser, scriptPage, browserId, (c) => lookupAndAnswer(c, c.get("uid"), c.get("newId")));

segmentRoutes.get(PATHS.s2s, s2sAuth, (c) => {
  const uid = c.req.param("uid");
  return lookupAndAnswer(c, checkedUid(uid, "uid"), false, false);
});

/** A partner's id, resolved to ours through its alias; an id never matched is answered as an unknown user. */
segmentRoutes.get(PATHS.partner, s2sAuth, async (c) => {
  lookupFormat(c.req.url);
  knownPartner(await partnerConfig(c.env.PROFILES, c.executionCtx), c.req.param("partner"));
  const puid = checkedPuid(c.req.param("puid"), "puid");
  const uid = await aliasUid(c.env, c.executionCtx, c.req.param("partner"), puid);
  return lookupAndAnswer(c, uid, false, false);
});

/** The body of a batch lookup: our uids, or a partner's ids (`partner` and `puids`). */
function batchKeys(body: { uids?: unknown; partner?: unknown; puids?: unknown }): { partner?: string; keys: string[] } {
  const partner = body.partner;
  const list = partner === undefined ? body.uids : body.puids;
  const name = partner === undefined ? "uids" : "puids";
  if (!Array.isArray(list)) throw new UdnError(400, 'body must be {"uids":[…]} or {"partner":"…","puids":[…]}');
  if (list.length > MAX_LOOKUP_UIDS) throw new UdnError(413, `${name} has ${list.length} entries; at most ${MAX_LOOKUP_UIDS}`);
  const check = partner === undefined ? checkedUid : checkedPuid;
  const keys = [...new Set(list.map((u, i) => check(u, `${name}[${i}]`)))];
  if (partner !== undefined && typeof partner !== "string") throw new UdnError(400, "partner must be a partner id");
  return partner === undefined ? { keys } : { partner, keys };
}

segmentRoutes.post(PATHS.batch, s2sAuth, async (c) => {
  const text = await readText(c.req.raw, MAX_LOOKUP_BYTES);
  let body: { uids?: unknown; partner?: unknown; puids?: unknown; eids?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new UdnError(400, "body is not valid JSON");
  }
  if (typeof body !== "object" || body === null) throw new UdnError(400, 'body must be {"uids":[…]} or {"partner":"…","puids":[…]}');
  const { partner, keys } = batchKeys(body);
  // A partner's ids: one multi-key read of their aliases (what the isolate lacks), then one of the profiles.
  let uidOf = (key: string): string | null => key;
  if (partner !== undefined) {
    knownPartner(await partnerConfig(c.env.PROFILES, c.executionCtx), partner);
    const aliases = await aliasUids(c.env, partner, keys);
    uidOf = (key) => aliases.get(key) ?? null;
  }
  const uids = [...new Set(keys.map(uidOf).filter((u): u is string => u !== null))];
  const { profiles, degraded } = await lookupProfiles(c.env, c.executionCtx, uids, c.req.url);
  const results: Record<string, string[]> = {};
  const eids: Record<string, readonly Eid[]> = {};
  for (const key of keys) {
    const uid = uidOf(key);
    const p = uid === null ? undefined : profiles.get(uid);
    results[key] = p ? p.segments.map((s) => s.id) : [];
    if (body.eids === true && uid !== null && p) eids[key] = await lookupEids(c.env, c.executionCtx, uid, p, undefined);
  }
  c.header("Cache-Control", "private, no-store");
  c.set("cacheOutcome", "batch");
  if (degraded) {
    c.header("X-UDN-Degraded", degraded);
    c.set("degraded", degraded);
  }
  return c.json(body.eids === true ? { results, eids } : { results });
});
